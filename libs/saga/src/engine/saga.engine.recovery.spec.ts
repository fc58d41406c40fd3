import { applySagaEvent, OPERATOR_COMPENSATION_ERROR, SAGA_CANCELLED_ERROR } from './saga.engine';
import type { SagaEvent } from './saga-event';
import type { SagaOperatorAction } from './saga-operator-action';
import type { SagaPlan } from './saga-plan';
import type { SagaState } from './saga-state';
import { sagaStatusView } from './saga-status';
import {
  compensations,
  fail,
  feed,
  finish,
  ok,
  runTasks,
  start,
  undone,
} from './testing/engine-events.fixture';
import { planOf, plannedTask } from './testing/plan.fixture';

const note = { by: 'alice', reason: 'service fixed' };
const act = (
  action: Partial<SagaOperatorAction> & Pick<SagaOperatorAction, 'type'>,
  now = 50,
): SagaEvent => ({ type: 'operator', action: { ...note, ...action } as SagaOperatorAction, now });
const undoFailed = (task: string, attempt = 1, retryable = true, now = 30): SagaEvent => ({
  type: 'compensation-failed',
  task,
  attempt,
  error: { message: `undo ${task} broke` },
  retryable,
  now,
});

/** A plan whose step 2 (b, c in parallel) stalls instead of compensating. */
function stallingPlan(): SagaPlan {
  const plan = planOf([['a'], ['b', 'c'], ['d']]);
  plan.steps[1].onFailure = 'stall';
  return plan;
}

function refusal(plan: SagaPlan, state: SagaState, event: SagaEvent): string {
  const t = applySagaEvent(plan, state, event);
  expect(t.changed).toBe(false);
  expect(t.state).toBe(state);
  return t.refused?.message ?? 'not refused';
}

describe('saga engine: stall and recover', () => {
  describe("a step with onFailure: 'stall'", () => {
    const plan = stallingPlan();

    it('stops at the step, keeps every output, and answers its callers once', () => {
      const { state, commands } = feed(plan, start(plan).state, ok('a'), ok('c'), fail('b', false));
      expect(state.status).toBe('stalled');
      expect(state.stall).toMatchObject({ phase: 'forward', step: 'step-2', task: 'b' });
      expect(state.failure).toBeUndefined();
      expect(state.steps[1].tasks.map((t) => t.status)).toEqual(['failed', 'succeeded']);
      expect(state.steps[0].tasks[0].output).toEqual({ task: 'a' });
      expect(compensations(commands)).toEqual([]);
      expect(finish(commands)).toMatchObject({ status: 'stalled', failure: { step: 'step-2', task: 'b' } });
      expect(sagaStatusView(state).steps.map((s) => s.status)).toEqual(['succeeded', 'stalled', 'pending']);
    });

    it('lets a sibling still running finish, without stalling twice', () => {
      const { state, commands } = feed(plan, start(plan).state, ok('a'), fail('b', false), fail('c', false));
      expect(state.status).toBe('stalled');
      expect(state.stall?.task).toBe('b');
      expect(finish(commands)).toBeUndefined();
    });

    it('retry of the faulty task completes the saga with the other outputs kept', () => {
      let { state } = feed(plan, start(plan).state, ok('a'), ok('c'), fail('b', false));
      const retried = feed(plan, state, act({ type: 'retry', task: 'b' }));
      expect(retried.state.status).toBe('running');
      expect(retried.state.stall).toBeUndefined();
      expect(runTasks(retried.commands)).toEqual(['b#2']);
      ({ state } = feed(plan, retried.state, ok('b', { task: 'b' }, 2), ok('d')));
      expect(state.status).toBe('completed');
      expect(finish(applySagaEvent(plan, retried.state, ok('b', { task: 'b' }, 2)).commands)).toBeUndefined();
      expect(state.steps[1].tasks.map((t) => t.attempts)).toEqual([2, 1]);
    });

    it('gives a retried task a fresh attempt budget', () => {
      const retrying = planOf([['a'], [plannedTask('b', { attempts: 2 })]]);
      retrying.steps[1].onFailure = 'stall';
      let { state } = feed(retrying, start(retrying).state, ok('a'), fail('b', true), {
        type: 'timer',
        timer: { kind: 'task-retry', task: 'b', attempt: 1, dueAt: 200 },
        now: 200,
      });
      ({ state } = feed(retrying, state, fail('b', true, 2)));
      expect(state.status).toBe('stalled');
      ({ state } = feed(retrying, state, act({ type: 'retry', task: 'b' }), fail('b', true, 3)));
      expect(state.status).toBe('running');
      expect(state.steps[1].tasks[0].status).toBe('waiting');
    });

    it('resume runs every task that ended without success again', () => {
      const { state } = feed(plan, start(plan).state, ok('a'), fail('b', false), fail('c', false));
      const resumed = feed(plan, state, act({ type: 'resume' }));
      expect(resumed.state.status).toBe('running');
      expect(runTasks(resumed.commands)).toEqual(['b#2', 'c#2']);
    });

    it('skip marks the task succeeded with the given output and moves on', () => {
      const { state } = feed(plan, start(plan).state, ok('a'), ok('c'), fail('b', false));
      const skipped = feed(plan, state, act({ type: 'skip', task: 'b', output: { paid: 'by hand' } }));
      expect(skipped.state.steps[1].tasks[0]).toMatchObject({
        status: 'succeeded',
        output: { paid: 'by hand' },
        skipped: true,
      });
      expect(runTasks(skipped.commands)).toEqual(['d#1']);
    });

    it('compensate rolls the stalled saga back, undoing what took effect', () => {
      const { state } = feed(plan, start(plan).state, ok('a'), ok('c'), fail('b', false));
      const rolled = feed(plan, state, act({ type: 'compensate' }));
      expect(rolled.state.status).toBe('compensating');
      expect(rolled.state.failure).toMatchObject({
        step: 'step-2',
        task: 'b',
        error: { name: OPERATOR_COMPENSATION_ERROR, message: 'compensated by alice: service fixed' },
      });
      expect(compensations(rolled.commands)).toEqual(['c:succeeded']);
      const done = feed(plan, rolled.state, undone('c'), undone('a'));
      expect(done.state.status).toBe('compensated');
    });

    it('moves on by itself when a task with an unknown outcome succeeds late', () => {
      const outranPlan = stallingPlan();
      const { state } = feed(outranPlan, start(outranPlan).state, ok('a'), ok('c'), {
        type: 'task-failed',
        task: 'b',
        attempt: 1,
        retryable: false,
        outcome: 'unknown',
        error: { message: 'too slow' },
        now: 10,
      });
      expect(state.status).toBe('stalled');
      const late = feed(outranPlan, state, ok('b'));
      expect(late.state.status).toBe('running');
      expect(runTasks(late.commands)).toEqual(['d#1']);
    });
  });

  describe('a compensation that keeps failing', () => {
    const plan = planOf([[plannedTask('a', { compensationHorizonMs: 1000 })], ['b']]);
    const failing = () => feed(plan, start(plan).state, ok('a'), fail('b', false));

    it('retries with backoff within its horizon, then stalls and announces it once', () => {
      let { state, commands } = feed(plan, failing().state, undoFailed('a', 1, true, 30));
      expect(state.steps[0].tasks[0].compensation).toMatchObject({ status: 'waiting', since: 10 });
      expect(commands.some((c) => c.type === 'schedule')).toBe(true);
      ({ state, commands } = feed(
        plan,
        state,
        { type: 'timer', timer: { kind: 'compensation-retry', task: 'a', attempt: 1, dueAt: 130 }, now: 130 },
        undoFailed('a', 2, true, 1200),
      ));
      expect(state.status).toBe('stalled');
      expect(state.stall).toMatchObject({ phase: 'compensation', step: 'step-1', task: 'a', at: 1200 });
      expect(finish(commands)).toMatchObject({ status: 'stalled', failure: { step: 'step-2', task: 'b' } });
    });

    it('stalls at once when the handler refuses: retrying cannot help', () => {
      const { state } = feed(plan, failing().state, undoFailed('a', 1, false));
      expect(state.status).toBe('stalled');
      expect(state.steps[0].tasks[0].compensation?.status).toBe('failed');
    });

    it('resume runs the failed compensations again with a new horizon, and the saga ends compensated', () => {
      const { state } = feed(plan, failing().state, undoFailed('a', 1, false));
      const resumed = feed(plan, state, act({ type: 'resume' }, 5000));
      expect(resumed.state.status).toBe('compensating');
      expect(compensations(resumed.commands)).toEqual(['a:succeeded']);
      expect(resumed.state.steps[0].tasks[0].compensation).toMatchObject({ attempt: 2, since: 5000 });
      expect(feed(plan, resumed.state, undone('a', 2)).state.status).toBe('compensated');
    });

    it('skip marks the compensation done by hand and the rollback goes on', () => {
      const { state } = feed(plan, failing().state, undoFailed('a', 1, false));
      const skipped = feed(plan, state, act({ type: 'skip', task: 'a' }));
      expect(skipped.state.status).toBe('compensated');
      expect(skipped.state.steps[0].tasks[0].compensation).toMatchObject({
        status: 'succeeded',
        skipped: true,
      });
    });

    it('retry of a compensation waiting to back off runs it now', () => {
      const { state } = feed(plan, failing().state, undoFailed('a', 1, true));
      const retried = feed(plan, state, act({ type: 'retry', task: 'a' }));
      expect(compensations(retried.commands)).toEqual(['a:succeeded']);
      expect(retried.state.steps[0].tasks[0].compensation).toMatchObject({ status: 'running', attempt: 2 });
    });
  });

  describe('cancel', () => {
    const plan = planOf([['a'], ['b', 'c']]);

    it('compensates a running saga once its running tasks settle', () => {
      const { state } = feed(plan, start(plan).state, ok('a'));
      const cancelled = feed(plan, state, act({ type: 'cancel' }));
      expect(cancelled.state.status).toBe('compensating');
      expect(cancelled.state.failure?.error.name).toBe(SAGA_CANCELLED_ERROR);
      expect(compensations(cancelled.commands)).toEqual([]);
      const settled = feed(plan, cancelled.state, ok('b'), fail('c', false));
      expect(compensations(settled.commands)).toEqual(['b:succeeded']);
      expect(feed(plan, settled.state, undone('b'), undone('a')).state.status).toBe('compensated');
    });
  });

  describe('refusals name the state and change nothing', () => {
    const plan = stallingPlan();

    it('refuses what does not apply', () => {
      const running = feed(plan, start(plan).state, ok('a')).state;
      expect(refusal(plan, running, act({ type: 'resume' }))).toBe(
        "resume applies to a stalled saga; the saga is running at step 'step-2'.",
      );
      expect(refusal(plan, running, act({ type: 'retry', task: 'b' }))).toBe(
        "task 'b' has attempt 1 out; the saga is running at step 'step-2'.",
      );
      expect(refusal(plan, running, act({ type: 'retry', task: 'a' }))).toBe(
        "task 'a' is in step 'step-1'; the saga is running at step 'step-2'.",
      );
      const stalled = feed(plan, running, ok('c'), fail('b', false)).state;
      expect(refusal(plan, stalled, act({ type: 'cancel' }))).toContain('the saga is stalled at step');
      expect(refusal(plan, stalled, act({ type: 'skip', task: 'c' }))).toContain(
        "task 'c' already succeeded",
      );
    });

    it('refuses an unknown task and any action on a terminal saga', () => {
      const running = start(plan).state;
      const unknown = applySagaEvent(plan, running, act({ type: 'retry', task: 'nope' }));
      expect(unknown.refused).toEqual({
        code: 'unknown-task',
        message: "flow 'test' has no task 'nope' (tasks: a, b, c, d).",
      });
      const done = feed(plan, running, ok('a'), ok('b'), ok('c'), ok('d')).state;
      expect(refusal(plan, done, act({ type: 'compensate' }))).toBe(
        'saga s1 is completed: nothing can change it any more',
      );
    });
  });

  it('reads a saga stored as failed by an earlier version as stalled, and resumes it', () => {
    const plan = planOf([['a'], ['b']]);
    const { state } = feed(plan, start(plan).state, ok('a'), fail('b', false), undoFailed('a', 1, false));
    const legacy = { ...state, status: 'failed', stall: undefined } as unknown as SagaState;
    expect(sagaStatusView(legacy)).toMatchObject({
      status: 'stalled',
      stall: { phase: 'compensation', task: 'a' },
    });
    const resumed = feed(plan, legacy, act({ type: 'resume' }));
    expect(resumed.state.status).toBe('compensating');
    expect(compensations(resumed.commands)).toEqual(['a:succeeded']);
  });

  it('applies a repeated delivery of one action once', () => {
    const plan = stallingPlan();
    const { state } = feed(plan, start(plan).state, ok('a'), ok('c'), fail('b', false));
    const event: SagaEvent = {
      type: 'operator',
      action: { type: 'retry', task: 'b', ...note },
      id: 'x1',
      now: 50,
    };
    const once = feed(plan, state, event).state;
    const again = applySagaEvent(plan, once, event);
    expect(again.changed).toBe(false);
    expect(again.refused).toBeUndefined();
  });

  it('keeps a timeline of steps, attempts, compensations and actions with who and why', () => {
    const plan = stallingPlan();
    const { state } = feed(
      plan,
      start(plan).state,
      ok('a'),
      ok('c'),
      fail('b', false),
      act({ type: 'compensate' }),
    );
    const view = sagaStatusView(state);
    expect(view.timeline.map((e) => `${e.event}:${e.task ?? e.step ?? ''}`)).toEqual([
      'step-started:step-1',
      'attempt-started:a',
      'attempt-succeeded:a',
      'step-completed:step-1',
      'step-started:step-2',
      'attempt-started:b',
      'attempt-started:c',
      'attempt-succeeded:c',
      'attempt-failed:b',
      'step-failed:b',
      'stalled:b',
      'action:',
      'compensation-started:c',
    ]);
    expect(view.history).toEqual([
      {
        at: new Date(50).toISOString(),
        event: 'action',
        action: 'compensate',
        by: 'alice',
        reason: 'service fixed',
      },
    ]);
  });
});
