import { join, normalize, type Path } from '@angular-devkit/core';
import { SchematicsException, type Tree } from '@angular-devkit/schematics';

/** What this collection reads of nest-cli.json. */
interface NestCliConfig {
  sourceRoot?: string;
  projects?: Record<string, { sourceRoot?: string }>;
}

/** The options that pick where a schematic writes. */
export interface SourceRootOptions {
  sourceRoot?: string;
  project?: string;
}

/**
 * The source root to generate in: `sourceRoot` as given (`nest g` passes the chosen project's), else the
 * source root of `project` in nest-cli.json, else nest-cli.json's own `sourceRoot` (the default project's in
 * a monorepo), else `src`.
 */
export function resolveSourceRoot(tree: Tree, options: SourceRootOptions): string {
  if (options.sourceRoot) return options.sourceRoot;
  const config = readNestCliConfig(tree);
  if (options.project) {
    const sourceRoot = config?.projects?.[options.project]?.sourceRoot;
    if (!sourceRoot) {
      const known = Object.keys(config?.projects ?? {}).join(', ') || 'none';
      throw new SchematicsException(
        `Project '${options.project}' has no sourceRoot in nest-cli.json (projects: ${known}). Pass --project with one of them, or --sourceRoot.`,
      );
    }
    return sourceRoot;
  }
  return config?.sourceRoot ?? 'src';
}

function readNestCliConfig(tree: Tree): NestCliConfig | undefined {
  for (const file of ['nest-cli.json', '.nest-cli.json', 'nest.json']) {
    const content = tree.read(file);
    if (content) return JSON.parse(content.toString('utf-8')) as NestCliConfig;
  }
  return undefined;
}

/**
 * The folder `path` names, as Nest's `mergeSourceRoot` reads it: from the source root when run at the
 * workspace root (where nest-cli.json or package.json is), else as given.
 */
export function sourcePath(tree: Tree, sourceRoot: string, path?: string): Path {
  const atRoot = ['nest-cli.json', 'nest.json', 'tsconfig.json', 'package.json'].some((f) => tree.exists(f));
  if (!atRoot) return normalize(path ?? '');
  return path === undefined ? normalize(sourceRoot) : join(normalize(sourceRoot), path);
}
