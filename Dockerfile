# One image for every app of the booking system; docker-compose.yml picks the app with APP.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/proto ./proto
COPY package.json ./
ENV APP=standalone
# Not root: the image's own unprivileged user (uid 1000), owning nothing it could rewrite.
USER node
CMD ["sh", "-c", "exec node dist/apps/$APP/main.js"]
