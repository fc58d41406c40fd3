import { applySagaEvent, TASK_ABANDONED_ERROR } from './saga.engine';
import type { SagaEvent } from './saga-event';
import type { PlannedStep, SagaPlan } from './saga-plan';
import type { SagaState } from './saga-state';
import { sagaStatusView } from './saga-status';
import {
  compensations,
  fail,
  feed,
  finish,
  ok,
  outran,
  runTasks,
  start,
  timer,
  undone,
} from './testing/engine-events.fixture';
import { planOf } from './testing/plan.fixture';

/** step-1 = a; step-2 = b, c, d in parallel, under `options`; step-3 = e. */
function planWith(options: Partial<PlannedStep>, deadlineMs?: number): SagaPlan {
  const plan = planOf([['a'], ['b', 'c', 'd'], ['e']]);
  Object.assign(plan.steps[1], options);
  return deadlineMs === undefined ? plan : { ...plan, deadlineMs };
}

const atStep2 = (plan: SagaPlan) => feed(plan, start(plan).state, ok('a')).state;
const statusOf = (state: SagaState, task: string) =>
  state.steps.flatMap((s) => s.tasks).find((t) => t.name === task)?.status;

describe('saga engine: step aggregators', () => {
  describe('quorum(k)', () => {
    const plan = planWith({ aggregator: { quorum: 2 } });

    it('moves on once k tasks succeeded, cancels a task waiting to retry, and lets a running one finish', () => {
      let state = atStep2(plan);
      ({ state } = feed(plan, state, ok('b'), fail('d', true)));
      expect(statusOf(state, 'd')).toBe('waiting');
      const { state: next, commands } = feed(plan, state, ok('c'));
      expect(runTasks(commands)).toEqual(['e#1']);
      expect(commands).toContainEqual({ type: 'announce', event: 'step-completed', step: 'step-2' });
      expect(statusOf(next, 'd')).toBe('cancelled');
      expect(sagaStatusView(next).steps[1]).toMatchObject({ name: 'step-2', status: 'succeeded' });
      // Its retry timer finds nothing to retry.
      expect(applySagaEvent(plan, next, timer('task-retry', 500, 'd')).changed).toBe(false);
    });

    it('records a late success of a task past the quorum, which a later rollback then undoes', () => {
      let state = atStep2(plan);
      ({ state } = feed(plan, state, ok('b'), ok('c'), ok('d')));
      expect(statusOf(state, 'd')).toBe('succeeded');
      const { commands } = feed(plan, state, fail('e', false));
      expect(compensations(commands).sort()).toEqual(['b:succeeded', 'c:succeeded', 'd:succeeded']);
    });

    it('does not retry a task past the quorum, and a rollback does not wait for one still running', () => {
      let state = atStep2(plan);
      ({ state } = feed(plan, state, ok('b'), ok('c')));
      // d fails after the saga moved on: it is not retried, and the saga does not fail for it.
      const after = feed(plan, state, fail('d', true));
      expect(statusOf(after.state, 'd')).toBe('failed');
      expect(runTasks(after.commands)).toEqual([]);
      expect(after.state.status).toBe('running');
      // Had it still been running, the rollback would compensate it as unknown at once.
      const { state: rolled, commands } = feed(plan, state, fail('e', false));
      expect(compensations(commands).sort()).toEqual(['b:succeeded', 'c:succeeded', 'd:unknown']);
      expect(rolled.steps[1].tasks[2].error).toMatchObject({ name: TASK_ABANDONED_ERROR });
    });

    it('fails the step once fewer than k tasks can still succeed, waiting for the rest before undoing', () => {
      let state = atStep2(plan);
      ({ state } = feed(plan, state, fail('b', false)));
      expect(state.status).toBe('running');
      const { state: failed, commands } = feed(plan, state, fail('c', false));
      expect(failed.status).toBe('compensating');
      expect(failed.failure).toMatchObject({ step: 'step-2', task: 'c' });
      // d is still running: its outcome decides whether it is undone.
      expect(compensations(commands)).toEqual([]);
      const done = feed(plan, failed, ok('d'));
      expect(compensations(done.commands)).toEqual(['d:succeeded']);
    });
  });

  describe('failFast', () => {
    it('does not wait for running siblings when a task fails: they are compensated as unknown at once', () => {
      const plan = planWith({ aggregator: 'failFast' });
      const { state, commands } = feed(plan, atStep2(plan), ok('b'), fail('c', false));
      expect(state.status).toBe('compensating');
      expect(compensations(commands).sort()).toEqual(['b:succeeded', 'd:unknown']);
      expect(state.steps[1].tasks[2]).toMatchObject({
        status: 'unknown',
        error: { name: TASK_ABANDONED_ERROR },
      });
      // A late success of d is recorded; its compensation, already out, goes on.
      const late = feed(plan, state, ok('d'));
      expect(statusOf(late.state, 'd')).toBe('succeeded');
      expect(compensations(late.commands)).toEqual([]);
    });

    it("differs from 'all', whose rollback waits for the running siblings' outcome", () => {
      const plan = planWith({});
      const { state, commands } = feed(plan, atStep2(plan), ok('b'), fail('c', false));
      expect(compensations(commands)).toEqual([]);
      expect(compensations(feed(plan, state, fail('d', false)).commands)).toEqual(['b:succeeded']);
    });
  });

  describe('bestEffort', () => {
    const plan = planWith({ aggregator: 'bestEffort' });

    it('moves on once every task ended, whatever its outcome', () => {
      let { state, commands } = feed(plan, atStep2(plan), ok('b'), fail('c', false));
      expect(runTasks(commands)).toEqual([]);
      ({ state, commands } = feed(plan, state, outran('d')));
      expect(runTasks(commands)).toEqual([]);
      ({ state, commands } = feed(plan, state, timer('task-retry', 500, 'd'), fail('d', false, 2)));
      expect(runTasks(commands)).toEqual(['e#1']);
      expect(state.steps[1].tasks.map((t) => t.status)).toEqual(['succeeded', 'failed', 'failed']);
      ({ commands } = feed(plan, state, ok('e')));
      expect(finish(commands)).toMatchObject({ status: 'completed' });
    });

    it('undoes an optional task whose outcome is unknown when a later step rolls back, never a failed one', () => {
      const once = planWith({ aggregator: 'bestEffort' });
      once.steps[1].tasks[2].policy.attempts = 1;
      const { state } = feed(once, atStep2(once), ok('b'), fail('c', false), outran('d'));
      expect(statusOf(state, 'd')).toBe('unknown');
      const { commands } = feed(once, state, fail('e', false));
      expect(compensations(commands).sort()).toEqual(['b:succeeded', 'd:unknown']);
    });

    it("still fails at the saga's deadline", () => {
      const timed = planWith({ aggregator: 'bestEffort' }, 1_000);
      const { state } = feed(timed, atStep2(timed), ok('b'), timer('saga-deadline', 1_000));
      expect(state.status).toBe('compensating');
      expect(runTasks(feed(timed, state, undone('b')).commands)).toEqual([]);
    });
  });
});

describe('saga engine: a pivot step', () => {
  const act = (type: 'compensate' | 'cancel' | 'retry', task?: string): SagaEvent => ({
    type: 'operator',
    action: { type, by: 'op', reason: 'test', ...(task ? { task } : {}) } as never,
    now: 50,
  });
  const plan = planWith({ pivot: true });
  const pastPivot = () => feed(plan, atStep2(plan), ok('b'), ok('c'), ok('d')).state;

  it('rolls back a failure at the pivot step itself', () => {
    const { state } = feed(plan, atStep2(plan), ok('b'), fail('c', false));
    expect(state.status).toBe('compensating');
  });

  it('stalls a failure after the pivot instead of compensating, and refuses to compensate', () => {
    const { state, commands } = feed(plan, pastPivot(), fail('e', false));
    expect(state.status).toBe('stalled');
    expect(state.stall).toMatchObject({ phase: 'forward', step: 'step-3', task: 'e' });
    expect(compensations(commands)).toEqual([]);
    const refused = applySagaEvent(plan, state, act('compensate'));
    expect(refused.changed).toBe(false);
    expect(refused.refused?.message).toMatch(/past its pivot step 'step-2': it can only go forward/);
    // Forward recovery moves it on.
    const retried = feed(plan, state, act('retry', 'e'));
    expect(runTasks(retried.commands)).toEqual(['e#2']);
    expect(finish(feed(plan, retried.state, ok('e', {}, 2)).commands)).toMatchObject({ status: 'completed' });
  });

  it('refuses to cancel a running saga past the pivot', () => {
    expect(applySagaEvent(plan, pastPivot(), act('cancel')).refused?.message).toMatch(/past its pivot/);
  });
});
