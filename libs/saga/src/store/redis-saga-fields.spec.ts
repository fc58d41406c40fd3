import { applySagaEvent, startSaga } from '../engine/saga.engine';
import type { SagaState } from '../engine/saga-state';
import { planOf } from '../engine/testing/plan.fixture';
import { sagaFields, sagaFromFields } from './redis-saga-fields';

const plan = planOf([['a'], ['b', 'c', 'd'], ['e']]);
const KEY = 'dta:{s0}:saga:s1:state';

/** What the hash holds after writing `fields` over `hash` (as the commit script does). */
function written(hash: Record<string, string>, state: SagaState, previous?: SagaState) {
  const { replace, pairs } = sagaFields(state, previous);
  const next: Record<string, string> = replace ? {} : { ...hash };
  for (let i = 0; i < pairs.length; i += 2) next[pairs[i]] = pairs[i + 1];
  return { hash: next, fields: pairs.filter((_, i) => i % 2 === 0) };
}

function succeed(state: SagaState, task: string, output: unknown = { task }): SagaState {
  return applySagaEvent(plan, state, {
    type: 'task-succeeded',
    task,
    attempt: 1,
    output: output as never,
    now: 5,
  }).state;
}

describe('saga state fields (RedisSagaStore)', () => {
  const started = startSaga(plan, {
    id: 's1',
    traceId: 't1',
    input: { big: 'x'.repeat(1000) },
    now: 1,
  }).state;

  it('reads back the saga it wrote whole', () => {
    const { hash } = written({}, started);
    expect(sagaFromFields(hash, KEY)).toEqual(started);
    expect(sagaFromFields({}, KEY)).toBeUndefined();
  });

  it('writes only the head, the tasks that changed and the new timeline entries, and reads back the same saga', () => {
    let hash = written({}, started).hash;
    let state = started;
    const writes: string[][] = [];
    const appended: number[] = [];
    for (const task of ['a', 'b', 'c', 'd', 'e']) {
      const next = succeed(state, task);
      const step = written(hash, next, state);
      writes.push(step.fields);
      appended.push((next.timeline?.length ?? 0) - (state.timeline?.length ?? 0));
      hash = step.hash;
      state = next;
      expect(sagaFromFields(hash, KEY)).toEqual(state);
    }
    expect(state.status).toBe('completed');
    // b's reply changes b only: not the input, not a, c or d, and no earlier timeline entry.
    const b = writes[1];
    expect(b).toContain('head');
    expect(b).toContain('t:1:0');
    expect(b).not.toContain('input');
    expect(b.filter((field) => field.startsWith('t:'))).toEqual(['t:1:0']);
    writes.forEach((fields, i) =>
      expect(fields.filter((field) => field.startsWith('l:'))).toHaveLength(appended[i]),
    );
    expect(appended[1]).toBeGreaterThan(0);
  });

  it('writes the whole saga when the previous one has more timeline than the next', () => {
    const next = succeed(started, 'a');
    const { replace } = sagaFields(started, next);
    expect(replace).toBe(true);
  });

  it('refuses a hash with a gap in the timeline', () => {
    const { hash } = written({}, succeed(started, 'a'));
    delete hash['l:1'];
    expect(() => sagaFromFields(hash, KEY)).toThrow(/timeline has gaps/);
  });
});
