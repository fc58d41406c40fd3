import { basename, dirname, join, normalize, type Path } from '@angular-devkit/core';
import { chain, noop, type Rule, SchematicsException, type Tree } from '@angular-devkit/schematics';
import { flowNames, taskNames } from '../flow-names';
import { formatTouchedFiles } from '../format.rule';
import { declareInModule } from '../module-import';
import { resolveSourceRoot, sourcePath } from '../source-root';
import { writeTemplates } from '../templates.rule';
import { addTaskToContract } from './contract.editor';
import { addStepToSaga } from './saga-class.editor';
import type { TaskSchematicOptions } from './task.schema';

/** Folders never searched for a flow. */
const SKIPPED = new Set(['node_modules', 'dist', 'coverage', '.git']);

/**
 * `task <flow> <name>`: adds a task to the flow whose `<flow>.contract.ts` is under the source root. In that
 * folder: the task's entry and types in the contract, a host `tasks/<name>.task.ts` with `@Task` and
 * `@Compensate`, a new last step in `<flow>.saga.ts`, and the host in the providers of `<flow>.module.ts`.
 * Every edit is checked before any is made: a contract or saga it cannot edit safely fails the whole run.
 */
export function main(options: TaskSchematicOptions): Rule {
  return (tree: Tree) => {
    const { flow, task, path } = positionals(options);
    const sourceRoot = resolveSourceRoot(tree, options);
    const contractPath = findContract(tree, flow.name, sourcePath(tree, sourceRoot, path));
    const dir = dirname(contractPath);
    const contractFile = basename(contractPath).replace(/\.ts$/, '');
    const contract = addTaskToContract(tree.readText(contractPath), contractPath, task);
    const sagaPath = join(dir, `${flow.name}.saga.ts`);
    if (!tree.exists(sagaPath)) {
      throw new SchematicsException(`${sagaPath} not found: the step that runs '${task.name}' goes there.`);
    }
    const saga = addStepToSaga(tree.readText(sagaPath), sagaPath, contract.contractName, task);
    const hostPath = join(dir, 'tasks', `${task.name}.task.ts`);
    if (tree.exists(hostPath)) throw new SchematicsException(`${hostPath} exists already.`);

    tree.overwrite(contractPath, contract.text);
    tree.overwrite(sagaPath, saga);
    const values = { ...task, flow: flow.name, contractName: contract.contractName, contractFile };
    return chain([
      writeTemplates('./files', values, join(dir, 'tasks')),
      options.skipImport ? noop() : provideHost(dir, flow.name, task.name),
      options.format === false ? noop() : formatTouchedFiles(),
    ]);
  };
}

/**
 * The flow, the task and the folder to search. `nest g` passes its two positionals as `name` and `path`, so
 * without `flow` those are `<flow> <task>`; the schematics CLI fills `flow` and `name` from its positionals.
 */
function positionals(options: TaskSchematicOptions) {
  const [flow, task, path] =
    options.flow === undefined
      ? [options.name, options.path, undefined]
      : [options.flow, options.name, options.path];
  if (!flow || !task) {
    throw new SchematicsException(
      'Name the flow and the task: nest g -c @dta/schematics task <flow> <task>.',
    );
  }
  return { flow: flowNames(flow), task: taskNames(task), path };
}

function findContract(tree: Tree, flow: string, root: Path): Path {
  const file = `${flow}.contract.ts`;
  const found: Path[] = [];
  const visit = (dir: Path): void => {
    const entry = tree.getDir(dir);
    if (entry.subfiles.some((f) => f === file)) found.push(join(dir, file));
    for (const sub of entry.subdirs) if (!SKIPPED.has(sub)) visit(join(dir, sub));
  };
  visit(normalize(root));
  if (found.length === 1) return found[0];
  if (found.length === 0) {
    throw new SchematicsException(
      `No ${file} under ${root || '.'}: generate the flow first (nest g -c @dta/schematics saga ${flow}), or pick its project (-p).`,
    );
  }
  throw new SchematicsException(
    `${found.length} files ${file} under ${root}: ${found.join(', ')}. Pick one with the schematics CLI and --path.`,
  );
}

/** Adds the host to the providers of `<flow>.module.ts`, or says to when there is no such module. */
function provideHost(dir: Path, flow: string, task: string): Rule {
  return (tree, context) => {
    const module = join(dir, `${flow}.module.ts`);
    if (!tree.exists(module)) {
      context.logger.warn(
        `No ${module}: add the host of '${task}' to the providers of the module that hosts it.`,
      );
      return;
    }
    declareInModule(tree, module, {
      path: join(dir, 'tasks'),
      name: task,
      type: 'task',
      metadata: 'providers',
    });
  };
}
