import type { SagaState, SagaTimelineEntry, TaskState } from '../engine/saga-state';

/**
 * A saga as the fields of its state hash, so that a commit writes what changed instead of the whole saga:
 *
 * | field | what | written |
 * |---|---|---|
 * | `head` | the saga without `input`, its tasks and its timeline (each step keeps its other fields; `timeline` is its length) | every write |
 * | `input` | the saga's input | when it changes (on create) |
 * | `t:<step>:<task>` | one task's state, by position | when that task changed |
 * | `l:<n>` | the n-th timeline entry | once, when it is appended |
 *
 * A write that knows the saga it replaces (the state at the expected version) writes `head` and the fields
 * that differ from it; a write without one replaces the whole hash. So the bytes of a transition no longer
 * grow with the saga's size: a 30-step saga's last reply writes what its first did.
 */
export interface SagaFields {
  /** Drop every field of the hash before writing (a whole saga). */
  replace: boolean;
  /** Field, value, field, value, ... */
  pairs: string[];
}

const HEAD = 'head';
const INPUT = 'input';
const TASK = 't:';
const ENTRY = 'l:';

type StoredHead = Omit<SagaState, 'input' | 'steps' | 'timeline'> & {
  steps: Omit<SagaState['steps'][number], 'tasks'>[];
  timeline?: number;
};

/** The fields to write for `next`; only those that differ from `previous` when it is given. */
export function sagaFields(next: SagaState, previous?: SagaState): SagaFields {
  // A saga that lost steps, tasks or timeline entries (never by the engine) is written whole.
  if (previous && !sameShape(previous, next)) return sagaFields(next);
  const { input, steps, timeline, ...rest } = next;
  const head: StoredHead = {
    ...rest,
    steps: steps.map(({ tasks: _tasks, ...step }) => step),
    ...(timeline ? { timeline: timeline.length } : {}),
  };
  const pairs = [HEAD, JSON.stringify(head)];
  if (!previous || previous.input !== input) pairs.push(INPUT, JSON.stringify(input));
  steps.forEach((step, s) =>
    step.tasks.forEach((task, t) => {
      if (!previous || !sameTask(previous.steps[s]?.tasks[t], task)) {
        pairs.push(`${TASK}${s}:${t}`, JSON.stringify(task));
      }
    }),
  );
  const kept = previous ? keptEntries(previous.timeline, timeline) : 0;
  for (let n = kept; n < (timeline?.length ?? 0); n++) {
    pairs.push(`${ENTRY}${n}`, JSON.stringify(timeline![n]));
  }
  return { replace: !previous, pairs };
}

/** The saga from its hash (HGETALL), or undefined if it has no `head`. */
export function sagaFromFields(hash: Record<string, string>, key: string): SagaState | undefined {
  if (hash[HEAD] === undefined) return undefined;
  const { steps, timeline, ...rest } = parse<StoredHead>(hash[HEAD], key, HEAD);
  const state: SagaState = {
    ...rest,
    input: parse(hash[INPUT] ?? 'null', key, INPUT),
    steps: steps.map((step) => ({ ...step, tasks: [] })),
  };
  const entries: SagaTimelineEntry[] = [];
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith(TASK)) {
      const [s, t] = field.slice(TASK.length).split(':').map(Number);
      const step = state.steps[s];
      if (!step) throw new SyntaxError(`Redis key ${key}: field ${field} names no step of the saga`);
      step.tasks[t] = parse<TaskState>(value, key, field);
    } else if (field.startsWith(ENTRY)) {
      entries[Number(field.slice(ENTRY.length))] = parse<SagaTimelineEntry>(value, key, field);
    }
  }
  if (timeline !== undefined) {
    if (entries.length !== timeline || entries.includes(undefined as never)) {
      throw new SyntaxError(`Redis key ${key}: the timeline has gaps (${timeline} entries expected)`);
    }
    state.timeline = entries;
  }
  return state;
}

/** The hash as HGETALL's flat reply in a script gives it. */
export function hashOf(flat: readonly string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
  return hash;
}

/**
 * Whether a transition left a task as it was. The engine replaces the values it changes (inputs, outputs,
 * errors) and copies the objects it writes into, so comparing each field by identity, one level deep, is
 * exact (its property test freezes the states it is given).
 */
function sameTask(before: TaskState | undefined, after: TaskState): boolean {
  return before !== undefined && shallowEqual(before, after, 1);
}

function shallowEqual(a: object, b: object, depth: number): boolean {
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every((key) => {
    const x: unknown = (a as Record<string, unknown>)[key];
    const y: unknown = (b as Record<string, unknown>)[key];
    if (x === y) return true;
    return depth > 0 && isPlainObject(x) && isPlainObject(y) && shallowEqual(x, y, depth - 1);
  });
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameShape(before: SagaState, after: SagaState): boolean {
  return (
    before.steps.length === after.steps.length &&
    before.steps.every((step, s) => step.tasks.length === after.steps[s].tasks.length) &&
    (before.timeline?.length ?? 0) <= (after.timeline?.length ?? 0)
  );
}

/** How many entries of `before` `after` still starts with (all of them, when the engine appended). */
function keptEntries(
  before: SagaTimelineEntry[] | undefined,
  after: SagaTimelineEntry[] | undefined,
): number {
  const kept = before?.length ?? 0;
  if (!after || after.length < kept) return 0;
  return kept === 0 || after[kept - 1] === before![kept - 1] ? kept : 0;
}

function parse<T>(raw: string, key: string, field: string): T {
  try {
    return JSON.parse(raw) as T;
  } catch (error) {
    throw new SyntaxError(`Unreadable JSON at Redis key ${key}, field ${field}: ${(error as Error).message}`);
  }
}
