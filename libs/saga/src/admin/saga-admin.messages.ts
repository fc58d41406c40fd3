/** User-facing text of the operator API, as factories (see `saga.messages.ts`). */
export const SAGA_ADMIN_MESSAGES = {
  TOKEN_TOO_SHORT: (length: number, min: number) =>
    `SagaAdminModule: SAGA_ADMIN_TOKEN has ${length} characters; it must have at least ${min}. Generate one, e.g. \`openssl rand -hex 32\`, or unset it to turn the operator API off.`,
  MISSING_TOKEN: 'the operator API needs a bearer token: send "Authorization: Bearer <SAGA_ADMIN_TOKEN>"',
  WRONG_TOKEN: 'the bearer token is not the operator token (SAGA_ADMIN_TOKEN)',
  ADMIN_OFF: (method: string) =>
    `${method} is not served: the operator API is off until SAGA_ADMIN_TOKEN is set`,
  INVALID_REQUEST: (count: number) => `invalid operator request: ${count} field(s) refused`,
  NOT_JSON: 'the body must be a JSON object sent with Content-Type: application/json',
} as const;
