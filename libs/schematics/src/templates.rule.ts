import { apply, applyTemplates, mergeWith, move, type Rule, url } from '@angular-devkit/schematics';

/**
 * Writes the templates of `folder` (relative to the schematic's factory, `./files/...`), filled with `values`,
 * into `dir`; `before` rules (a `filter`) run on them first.
 */
export function writeTemplates(folder: string, values: object, dir: string, before: Rule[] = []): Rule {
  return mergeWith(apply(url(folder), [...before, applyTemplates(values), move(dir)]));
}
