import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Where `buildChildren` put the JavaScript, and how to run it. */
export interface ChildBuild {
  outDir: string;
  /** Environment that resolves `@dta/saga` and the packages from `outDir` (tsconfig-paths + NODE_PATH). */
  env: Record<string, string>;
}

function* typescriptFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* typescriptFiles(path);
    else if (/(?<!\.d|\.spec|\.int-spec)\.ts$/.test(entry.name)) yield path;
  }
}

/**
 * Transpiles the bench and `@dta/saga` (where the tsconfig's `paths` put it) to JavaScript in `outDir`, file
 * by file and without type checking, so that the children run as plain Node.js: no ts-node or TypeScript
 * compiler in their memory (about 55 MB of RSS) or in their start-up.
 */
export function buildChildren(root: string, outDir: string): ChildBuild {
  const project = resolve(root, process.env.TS_NODE_PROJECT ?? 'tsconfig.json');
  const { config } = ts.readConfigFile(project, (path) => ts.sys.readFile(path)) as { config: unknown };
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, dirname(project));
  const library = options.paths?.['@dta/saga']?.[0];
  if (!library) throw new Error(`${project} has no path for @dta/saga`);
  const sources = [
    { from: join(root, 'bench'), to: join(outDir, 'bench') },
    { from: resolve(options.baseUrl ?? root, library), to: join(outDir, 'saga') },
  ];
  const compilerOptions = { ...options, sourceMap: false, inlineSourceMap: false, declaration: false };
  for (const { from, to } of sources) {
    for (const file of typescriptFiles(from)) {
      const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
        compilerOptions,
        fileName: file,
      });
      const target = join(to, relative(from, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, outputText);
    }
  }
  const paths = { '@dta/saga': ['saga'], '@dta/saga/*': ['saga/*'] };
  writeFileSync(join(outDir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { baseUrl: '.', paths } }));
  return {
    outDir,
    env: { TS_NODE_PROJECT: join(outDir, 'tsconfig.json'), NODE_PATH: join(root, 'node_modules') },
  };
}
