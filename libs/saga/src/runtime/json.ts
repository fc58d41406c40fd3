import type { Json } from '../engine/saga-state';

/** Normalises a handler's return value to JSON (undefined -> null); throws on what JSON cannot carry. */
export function toJson(value: unknown): Json {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as Json;
}
