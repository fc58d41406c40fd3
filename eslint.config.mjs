// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** The layers of libs/saga (docs/ARCHITECTURE.md): what each folder may import. */
const SPECS = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.contract.ts'];
const BROKERS = ['amqplib', '@golevelup/*', '@nats-io/*'];
const NEST_AND_IO = ['@nestjs/*', 'ioredis', ...BROKERS];
/** Forbids the parent folders except the shared vocabulary (`up` is `../` or `../../`), and `extra` packages. */
const layer = (files, up, extra, message, allowed = []) => ({
  files,
  ignores: SPECS,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: [`${up}*`, `!${up}vocabulary`, ...allowed.map((a) => `!${up}${a}`)], message },
          ...(extra.length ? [{ group: extra, message }] : []),
        ],
      },
    ],
  },
});
const brokerFolder = (name, packages) =>
  layer(
    [`libs/saga/src/transport/${name}/*.ts`],
    '../../',
    ['ioredis', '@nestjs/core', ...BROKERS.filter((p) => !packages.includes(p))],
    `A transport adapter imports its own broker client, the transport folder, io and the vocabulary only.`,
    ['io'],
  );
/** A store persists the engine's state: it may import the engine's types, never its code. */
const storeLayer = () => {
  const message =
    'A store imports only the vocabulary, io, the message catalogue and the types of what it stores.';
  const config = layer(['libs/saga/src/store/*.ts'], '../', ['@nestjs/core', ...BROKERS], message, [
    'saga.messages',
    'engine',
    'io',
  ]);
  config.rules['no-restricted-imports'][1].patterns.push({
    group: ['../engine/*'],
    allowTypeImports: true,
    message,
  });
  return config;
};
const LAYERS = [
  layer(
    ['libs/saga/src/engine/*.ts'],
    '../',
    [...NEST_AND_IO, 'node:*'],
    'The engine is pure: it imports only the engine and the vocabulary (libs/saga/src/vocabulary).',
  ),
  layer(
    ['libs/saga/src/vocabulary/*.ts'],
    '../',
    NEST_AND_IO,
    'The vocabulary imports nothing of the library.',
  ),
  layer(
    ['libs/saga/src/io/*.ts'],
    '../',
    NEST_AND_IO,
    'io (socket helpers of the broker adapters and the Redis store) imports nothing of the library.',
  ),
  layer(
    ['libs/saga/src/transport/*.ts'],
    '../',
    ['ioredis', '@nestjs/core', ...BROKERS],
    'The transport folder imports only the vocabulary: the wire format must not follow the engine.',
  ),
  brokerFolder('memory', []),
  brokerFolder('rabbitmq', ['amqplib', '@golevelup/*']),
  brokerFolder('nats', ['@nats-io/*']),
  storeLayer(),
  {
    files: ['libs/saga/src/{definition,decorators,barrier,errors,interfaces,callbacks,filters}/*.ts'],
    ignores: SPECS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '../runtime',
                '../runtime/*',
                '../admin',
                '../admin/*',
                '../relay',
                '../relay/*',
                '../saga.module',
              ],
              message:
                'Only the module, the admin API and relays wire runtime/: the layers below it do not import it.',
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'coverage/**',
      'node_modules/**',
      'eslint.config.mjs',
      '.test-infra/**',
      // The built collection, and the workspaces its end-to-end spec generates (libs/schematics).
      'libs/schematics/dist/**',
      // The package build of @dta/saga (libs/saga/package.json).
      'libs/saga/dist/**',
      '.schematics-e2e-*/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
    },
  },
  ...LAYERS,
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.contract.ts', '**/testing/**/*.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
  },
);
