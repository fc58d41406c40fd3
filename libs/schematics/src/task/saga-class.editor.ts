import { SchematicsException } from '@angular-devkit/schematics';
import * as ts from 'typescript';
import type { TaskNames } from '../flow-names';
import { applyEdits } from './contract.editor';

/**
 * Appends to the `@Saga(<contractName>)` class in `text` (the file `file`) a last step running `task` alone:
 * `@Step(<last + 1>, ['<key>'])`, a method named after the task that passes it the saga input, its parameter
 * typed as the other steps' are. Throws, changing nothing, unless the file has that class, with at least one
 * `@Step(<number>, ...)` method and no member named after the task.
 */
export function addStepToSaga(text: string, file: string, contractName: string, task: TaskNames): string {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const refuse = (why: string): never => {
    throw new SchematicsException(
      `Cannot add a step for task '${task.name}' to ${file}: ${why}. Add a @Step method that runs it by hand.`,
    );
  };
  const saga = source.statements
    .filter(ts.isClassDeclaration)
    .find((c) => decoratorCalls(c).some((call) => isCall(call, 'Saga', contractName)));
  if (!saga) return refuse(`it has no class decorated with @Saga(${contractName})`);
  const steps = saga.members.filter(ts.isMethodDeclaration).flatMap((method) =>
    decoratorCalls(method)
      .filter((call) => isCall(call, 'Step') && ts.isNumericLiteral(call.arguments[0]))
      .map((call) => ({ method, index: Number((call.arguments[0] as ts.NumericLiteral).text) })),
  );
  const typed = steps.find(({ method }) => method.parameters[0]?.type);
  if (!typed) return refuse('it has no `@Step(<number>, ...)` method with a typed parameter to follow');
  if (saga.members.some((m) => m.name && ts.isIdentifier(m.name) && m.name.text === task.key)) {
    refuse(`the class has a member '${task.key}' already`);
  }
  const state = typed.method.parameters[0].type?.getText(source);
  const next = Math.max(...steps.map((s) => s.index)) + 1;
  const method =
    `\n  @Step(${next}, ['${task.key}'])\n` +
    `  ${task.key}(s: ${state}) {\n` +
    `    return { ${task.key}: s.input };\n` +
    `  }\n`;
  return applyEdits(text, [{ at: saga.getEnd() - 1, insert: method }]);
}

function decoratorCalls(node: ts.HasDecorators): ts.CallExpression[] {
  return (ts.getDecorators(node) ?? []).map((d) => d.expression).filter(ts.isCallExpression);
}

function isCall(call: ts.CallExpression, name: string, firstArgument?: string): boolean {
  if (!ts.isIdentifier(call.expression) || call.expression.text !== name) return false;
  if (firstArgument === undefined) return true;
  const [first] = call.arguments;
  return first !== undefined && ts.isIdentifier(first) && first.text === firstArgument;
}
