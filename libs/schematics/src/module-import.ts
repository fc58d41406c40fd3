import { join, normalize, type Path, strings } from '@angular-devkit/core';
import { SchematicsException, type Tree } from '@angular-devkit/schematics';
import { ModuleDeclarator, ModuleFinder } from '@nestjs/schematics';

/** A class to add to a module's metadata, as @nestjs/schematics' `ModuleDeclarator` takes it. */
export interface ModuleEntry {
  /** Folder of the file that declares the class. */
  path: string;
  /** File name without its role and extension: `hotel` for `hotel.module.ts`. */
  name: string;
  /** The file's role, which also ends the class name: `module` (HotelModule), `task` (ChargeCardTask). */
  type: string;
  /** Where in `@Module({...})` it goes. */
  metadata: 'imports' | 'providers';
}

/**
 * The module file to edit: `module` when given (from the workspace root or from `sourceRoot`), else the
 * nearest `*.module.ts` at or above `from`, as Nest's own schematics find it; `undefined` when there is none.
 */
export function findModule(tree: Tree, from: string, sourceRoot: string, module?: string): Path | undefined {
  if (module === undefined)
    return new ModuleFinder(tree).find({ name: '', path: normalize(from) }) ?? undefined;
  for (const candidate of [normalize(module), join(normalize(sourceRoot), module)]) {
    if (tree.exists(candidate)) return candidate;
  }
  throw new SchematicsException(
    `Module file '${module}' was found neither from the workspace root nor under ${sourceRoot}. Pass --module with the path of a *.module.ts file.`,
  );
}

/**
 * Adds the class of `entry` to the metadata of the module file `module`, and its import, with
 * @nestjs/schematics' `ModuleDeclarator` (as `nest g service` does); does nothing when the module already names the class.
 */
export function declareInModule(tree: Tree, module: Path, entry: ModuleEntry): void {
  const content = tree.readText(module);
  const symbol = strings.classify(entry.name) + strings.capitalize(entry.type);
  if (new RegExp(`\\b${symbol}\\b`).test(content)) return;
  // ModuleDeclarator computes the import path between two paths from the tree root (`/src/...`).
  const updated = new ModuleDeclarator().declare(content, {
    ...entry,
    module: normalize(`/${module}`),
    path: normalize(`/${entry.path}`),
  });
  if (updated !== content) tree.overwrite(module, updated);
}
