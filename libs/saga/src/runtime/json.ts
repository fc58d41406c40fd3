import type { Json } from '../engine/saga-state';

/** Largest task output a worker records and replies with (its JSON text, in bytes). */
export const MAX_OUTPUT_BYTES = 256 * 1024;
/** Deepest nesting of objects and arrays in a task output. */
export const MAX_OUTPUT_DEPTH = 64;

/** A handler's return value that cannot travel as a task output. */
export class TaskOutputError extends Error {
  override readonly name = 'TaskOutputError';
}

/** Normalises a value to JSON (undefined -> null); throws on what JSON cannot carry. */
export function toJson(value: unknown): Json {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as Json;
}

/**
 * Normalises a handler's return value to JSON (undefined -> null). Throws {@link TaskOutputError} on what
 * JSON cannot carry (a `BigInt`, a cycle), an output over {@link MAX_OUTPUT_BYTES}, or one nested deeper
 * than {@link MAX_OUTPUT_DEPTH}.
 */
export function toTaskOutput(value: unknown): Json {
  if (value === undefined) return null;
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TaskOutputError(`the output is not JSON: ${(error as Error).message}`);
  }
  if (text === undefined) throw new TaskOutputError(`the output is not JSON: ${typeof value}`);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_OUTPUT_BYTES)
    throw new TaskOutputError(`the output is ${bytes} bytes of JSON, more than ${MAX_OUTPUT_BYTES}`);
  if (depthOf(text) > MAX_OUTPUT_DEPTH)
    throw new TaskOutputError(`the output is nested deeper than ${MAX_OUTPUT_DEPTH} levels`);
  return JSON.parse(text) as Json;
}

/** Nesting depth of a JSON text, counted without recursion (brackets inside strings are skipped). */
function depthOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') deepest = Math.max(deepest, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return deepest;
}
