/** Three levels (see docs/ARCHITECTURE.md): unit specs beside the code, integration specs against real
 * RabbitMQ and Redis (`*.int-spec.ts`), and e2e suites in `test/`. Global setup brings the servers up. */
const base = {
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@dta/saga(|/.*)$': '<rootDir>/libs/saga/src$1',
    '^@dta/booking(|/.*)$': '<rootDir>/libs/booking/src$1',
  },
};

module.exports = {
  globalSetup: '<rootDir>/test/infra/global-setup.ts',
  globalTeardown: '<rootDir>/test/infra/global-teardown.ts',
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
    },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/libs/**/*.int-spec.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
