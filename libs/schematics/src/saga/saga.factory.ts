import { join, strings } from '@angular-devkit/core';
import { chain, filter, noop, type Rule, SchematicsException, type Tree } from '@angular-devkit/schematics';
import { flowNames, taskNames } from '../flow-names';
import { formatTouchedFiles } from '../format.rule';
import { declareInModule, findModule } from '../module-import';
import { resolveSourceRoot, sourcePath } from '../source-root';
import { writeTemplates } from '../templates.rule';
import type { SagaSchematicOptions } from './saga.schema';

/**
 * `saga <name>`: a flow in `<sourceRoot>/<path>/<name>/` (contract, input DTO, saga, reservations, two task
 * hosts, module, REST and gRPC controllers, spec), its proto in `proto/<name>.proto`, and its module imported
 * by the nearest module at or above that folder (or `--module`; none with `--skip-import`).
 */
export function main(options: SagaSchematicOptions): Rule {
  return (tree) => generateFlow(tree, { ...options, sourceRoot: resolveSourceRoot(tree, options) });
}

function generateFlow(tree: Tree, options: SagaSchematicOptions & { sourceRoot: string }): Rule {
  const names = flowNames(options.name);
  const base = sourcePath(tree, options.sourceRoot, options.path);
  const dir = options.flat ? base : join(base, names.name);
  const contract = join(dir, `${names.name}.contract.ts`);
  if (tree.exists(contract)) {
    throw new SchematicsException(
      `${contract} exists already: the flow '${names.name}' was generated before.`,
    );
  }
  const values = {
    ...names,
    camelName: strings.camelize(names.name),
    reserve: taskNames(`reserve-${names.name}`),
    reserveName: `reserve-${names.name}`,
    confirm: taskNames(`confirm-${names.name}`),
    confirmName: `confirm-${names.name}`,
    protoPath: `proto/${names.name}.proto`,
    specFileSuffix: options.specFileSuffix || 'spec',
  };
  return chain([
    options.skipImport ? noop() : importFlowModule(dir, options.sourceRoot, names.name, options.module),
    writeTemplates('./files/flow', values, dir, [
      options.spec === false ? filter((path) => !path.endsWith('.__specFileSuffix__.ts.template')) : noop(),
    ]),
    writeTemplates('./files/proto', values, 'proto'),
    options.format === false ? noop() : formatTouchedFiles(),
  ]);
}

/** Adds `<Name>Module` to the imports of the module the flow is generated in, before its files exist. */
function importFlowModule(dir: string, sourceRoot: string, name: string, module?: string): Rule {
  return (tree, context) => {
    const target = findModule(tree, dir, sourceRoot, module);
    if (!target) {
      context.logger.warn(
        `No *.module.ts at or above ${dir}: import ${strings.classify(name)}Module yourself.`,
      );
      return;
    }
    declareInModule(tree, target, { path: dir, name, type: 'module', metadata: 'imports' });
  };
}
