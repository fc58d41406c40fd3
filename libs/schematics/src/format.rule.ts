import type { Rule, SchematicContext, Tree } from '@angular-devkit/schematics';
import { join } from 'node:path';

const FORMATTED = /\.(ts|js|json)$/;

type Prettier = typeof import('prettier');

/**
 * Formats the files this run created or changed with the workspace's Prettier and its configuration, so
 * that generated code passes `prettier --check`. Where Prettier is not installed, or cannot be loaded (Jest
 * without `--experimental-vm-modules`), it warns and leaves the files as generated.
 *
 * Not `formatFiles` of @nestjs/schematics: it resolves the configuration at the tree path (`/src/...`, from
 * the file system's root), so a workspace's `.prettierrc` is never found there.
 */
export function formatTouchedFiles(): Rule {
  return async (tree: Tree, context: SchematicContext) => {
    const touched = new Set(tree.actions.filter((a) => a.kind !== 'd').map((a) => a.path as string));
    const files = [...touched].filter((path) => FORMATTED.test(path) && tree.exists(path));
    try {
      const prettier: Prettier = await import('prettier');
      for (const path of files) {
        const source = tree.readText(path);
        const file = join(process.cwd(), path);
        const config = (await prettier.resolveConfig(file)) ?? {};
        const formatted = await prettier.format(source, { ...config, filepath: file });
        if (formatted !== source) tree.overwrite(path, formatted);
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      context.logger.warn(`Files left as generated: Prettier could not format them (${reason}).`);
    }
  };
}
