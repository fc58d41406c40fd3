import { SagaInputError } from '../errors/saga-outcome.error';
import { SAGA_MESSAGES } from '../saga.messages';

/** Deepest nesting of arrays and objects in `value`, walked without recursion; stops once past `stopAbove`. */
export function valueDepth(value: unknown, stopAbove: number): number {
  let deepest = 0;
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (typeof item.node !== 'object' || item.node === null) continue;
    const depth = item.depth + 1;
    deepest = Math.max(deepest, depth);
    if (deepest > stopAbove) return deepest; // also ends a cycle
    for (const child of Object.values(item.node)) stack.push({ node: child, depth });
  }
  return deepest;
}

function refuse(flow: string, message: string): never {
  throw new SagaInputError(SAGA_MESSAGES.INVALID_INPUT(flow, 1), flow, [
    { field: '(body)', messages: [message] },
  ]);
}

/**
 * Refuses, before validation, an input nested deeper than a start message may be (`maxMessageDepth`, less the
 * message's own level): validators and `JSON.stringify` recurse and would overflow the stack on it.
 */
export function checkInputDepth(flow: string, input: unknown, maxMessageDepth: number): void {
  const max = maxMessageDepth - 1;
  if (valueDepth(input, max) > max) refuse(flow, SAGA_MESSAGES.INPUT_TOO_DEEP(max));
}

/** Refuses a start message that every consumer would dead-letter as larger than `maxMessageBytes`. */
export function checkStartSize(flow: string, message: object, maxMessageBytes: number): void {
  const bytes = Buffer.byteLength(JSON.stringify(message), 'utf8');
  if (bytes > maxMessageBytes) refuse(flow, SAGA_MESSAGES.INPUT_TOO_LARGE(bytes, maxMessageBytes));
}
