/** The fault suite (`npm run test:faults`): its own project, so the default `npm test` never runs it. It
 * starts its own RabbitMQ and Redis (see fault-servers.ts), hence no global setup. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest reads CommonJS configs
const { projects } = require('../../jest.config');
const { displayName: _unit, testMatch: _unitMatch, ...base } = projects[0];
const rootDir = `${__dirname}/../..`;

module.exports = {
  rootDir,
  projects: [
    { ...base, rootDir, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'] },
  ],
};
