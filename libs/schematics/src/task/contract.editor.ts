import { SchematicsException } from '@angular-devkit/schematics';
import * as ts from 'typescript';
import type { TaskNames } from '../flow-names';

/** What adding a task to a contract file found there and made of it. */
export interface ContractEdit {
  /** The contract's constant: `Hotel` of `export const Hotel = defineSaga(...)`. */
  contractName: string;
  /** The file with the task's entry and its two types. */
  text: string;
}

/** Options every task added by the schematic gets, to tune in the contract. */
const TASK_OPTIONS = "{ timeout: '2s', attempts: 3 }";

/**
 * Adds `task` to the contract in `text` (the file `file`): the entry `<key>: task<<Class>Cmd, <Class>Result>(...)`
 * at the end of `tasks`, and the two types before the contract, the input being the saga's input DTO. Throws,
 * changing nothing, unless the file has exactly one `const X = defineSaga('...', { input: Dto, tasks: { ... } })`
 * with `task` imported, and none of the names to add.
 */
export function addTaskToContract(text: string, file: string, task: TaskNames): ContractEdit {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const refuse = (why: string): never => {
    throw new SchematicsException(
      `Cannot add task '${task.name}' to ${file}: ${why}. Add it by hand: an entry in \`tasks\`, a @Task and @Compensate host, and a step.`,
    );
  };
  const contracts = source.statements.filter(ts.isVariableStatement).flatMap((statement) =>
    statement.declarationList.declarations
      .filter((d) => d.initializer && isCallTo(d.initializer, 'defineSaga'))
      .map((declaration) => ({
        statement,
        declaration,
        call: declaration.initializer as ts.CallExpression,
      })),
  );
  if (contracts.length !== 1) {
    refuse(`expected one \`const ... = defineSaga(...)\`, found ${contracts.length}`);
  }
  const [{ statement, declaration, call }] = contracts;
  if (!ts.isIdentifier(declaration.name)) return refuse('the contract is not a plain constant');
  const options = call.arguments[1];
  if (!options || !ts.isObjectLiteralExpression(options)) {
    return refuse('its options are not an object literal');
  }
  const input = property(options, 'input');
  if (!input || !ts.isIdentifier(input)) {
    return refuse('it has no `input: <Dto>` to type the task input with');
  }
  const tasks = property(options, 'tasks');
  if (!tasks || !ts.isObjectLiteralExpression(tasks)) return refuse('its `tasks` is not an object literal');
  if (property(tasks, task.key)) refuse(`the contract has a task '${task.key}' already`);
  const cmd = `${task.className}Cmd`;
  const result = `${task.className}Result`;
  const declared = new Set(source.statements.flatMap((s) => (declaredName(s) ? [declaredName(s)] : [])));
  for (const name of [cmd, result]) if (declared.has(name)) refuse(`it declares ${name} already`);
  if (!importsTask(source)) refuse("it does not import `task` from '@dta/saga'");

  const last = tasks.properties[tasks.properties.length - 1];
  const indent = last ? indentOf(text, last.getStart(source)) : `${indentOf(text, tasks.getStart(source))}  `;
  const entry = `${indent}${task.key}: task<${cmd}, ${result}>(${TASK_OPTIONS})`;
  const edits: Array<{ at: number; insert: string }> = [
    !last
      ? { at: tasks.getStart(source) + 1, insert: `\n${entry},\n` }
      : tasks.properties.hasTrailingComma
        ? { at: text.indexOf(',', last.getEnd()) + 1, insert: `\n${entry},` }
        : { at: last.getEnd(), insert: `,\n${entry}` },
    {
      at: statement.getStart(source, true),
      insert:
        `/** Input of ${task.name}: the saga's input; narrow it to what the task needs, and map it in its step. */\n` +
        `export type ${cmd} = ${input.text};\n` +
        `/** Output of ${task.name}. */\n` +
        `export type ${result} = { reference: string };\n\n`,
    },
  ];
  return { contractName: declaration.name.text, text: applyEdits(text, edits) };
}

/** The spaces that begin the line of the offset `at`. */
function indentOf(text: string, at: number): string {
  const line = text.slice(text.lastIndexOf('\n', at - 1) + 1, at);
  return /^\s*/.exec(line)?.[0] ?? '';
}

function isCallTo(node: ts.Node, name: string): node is ts.CallExpression {
  return ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === name;
}

function property(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of object.properties) {
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) {
      if (p.name.text === name) return p.initializer;
    }
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
  }
  return undefined;
}

function declaredName(statement: ts.Statement): string | undefined {
  if (ts.isTypeAliasDeclaration(statement) || ts.isInterfaceDeclaration(statement))
    return statement.name.text;
  if (ts.isClassDeclaration(statement)) return statement.name?.text;
  return undefined;
}

function importsTask(source: ts.SourceFile): boolean {
  return source.statements.some(
    (s) =>
      ts.isImportDeclaration(s) &&
      ts.isStringLiteral(s.moduleSpecifier) &&
      s.importClause?.namedBindings !== undefined &&
      ts.isNamedImports(s.importClause.namedBindings) &&
      s.importClause.namedBindings.elements.some((e) => e.name.text === 'task' && !e.isTypeOnly),
  );
}

/** Applies insertions at offsets of the original text, last first so that earlier offsets hold. */
export function applyEdits(text: string, edits: Array<{ at: number; insert: string }>): string {
  return [...edits]
    .sort((a, b) => b.at - a.at)
    .reduce((result, { at, insert }) => result.slice(0, at) + insert + result.slice(at), text);
}
