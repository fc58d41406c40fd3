/* global process */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, run by node before anything is compiled */
// Builds the collection into dist/ (git-ignored), or into the folder given as argument: the factories with tsc,
// then what tsc does not emit (the collection, the option schemas and the file templates). Run by the root
// `prepare` script, so that `npm ci` leaves a collection `nest g -c @dta/schematics` can load.
const { spawnSync } = require('node:child_process');
const { cpSync, rmSync } = require('node:fs');
const { basename, join, resolve } = require('node:path');

const root = join(__dirname, '..');
const src = join(root, 'src');
const dist = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', dist],
  { stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
cpSync(src, dist, {
  recursive: true,
  // Sources and the specs' fixtures stay behind; templates (`*.ts.template`) and JSON go along.
  filter: (path) => basename(path) !== 'testing' && (!path.endsWith('.ts') || path.endsWith('.template')),
});
