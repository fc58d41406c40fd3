import {
  applySagaEvent,
  applySagaEvents,
  compensatedTasks,
  SAGA_DEADLINE_ERROR,
  SAGA_RESULT_ERROR,
  STEP_MAPPER_ERROR,
  TASK_DEADLINE_ERROR,
  TASK_TIMEOUT_ERROR,
} from './saga.engine';
import type { SagaEvent } from './saga-event';
import type { SagaPlan } from './saga-plan';
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
import { planOf, plannedTask, sagaInputToEach } from './testing/plan.fixture';

describe('saga engine', () => {
  const plan = planOf([['a'], ['b', 'c'], ['d']]);

  it('dispatches step 1 with the saga input and no timer: waiting for a worker uses no attempt', () => {
    const { state, commands } = start(plan);
    expect(state.status).toBe('running');
    expect(commands).toEqual([
      { type: 'announce', event: 'started' },
      { type: 'run-task', step: 'step-1', task: 'a', attempt: 1, input: { n: 1 } },
    ]);
  });

  it('applies events together as it applies them one after the other, with one version per change', () => {
    const events = [ok('a'), ok('b'), ok('a'), fail('c', false)];
    const together = applySagaEvents(plan, start(plan).state, events);
    let state = start(plan).state;
    const commands = [];
    for (const event of events) {
      const transition = applySagaEvent(plan, state, event);
      state = transition.state;
      commands.push(...transition.commands);
    }
    expect(together).toEqual({ state, commands, changed: true });
    // The repeated ok('a') changed nothing: three changes.
    expect(together.state.version).toBe(start(plan).state.version + 3);
    expect(applySagaEvents(plan, together.state, [ok('a'), ok('b')]).changed).toBe(false);
  });

  it('announces each completed step and a rollback as commands, and only the events the flow keeps', () => {
    let { commands } = feed(plan, start(plan).state, ok('a'));
    expect(commands).toContainEqual({ type: 'announce', event: 'step-completed', step: 'step-1' });
    ({ commands } = feed(plan, start(plan).state, ok('a'), fail('b', false)));
    expect(commands).toContainEqual({ type: 'announce', event: 'rollback', step: 'step-2', task: 'b' });
    const quiet = { ...plan, events: ['rollback', 'completed'] as const };
    expect(start(quiet).commands.some((c) => c.type === 'announce')).toBe(false);
    ({ commands } = feed(quiet, start(quiet).state, ok('a')));
    expect(commands.some((c) => c.type === 'announce')).toBe(false);
    // A flow whose contract names no event publishes none, not even the terminal one.
    const silent = { ...plan, events: undefined };
    ({ commands } = feed(silent, start(silent).state, ok('a'), ok('b'), ok('c'), fail('d', false)));
    expect(commands.some((c) => c.type === 'announce')).toBe(false);
  });

  it('waits as long as it takes for a reply when no deadline is set', () => {
    const { state } = feed(plan, start(plan).state, ok('a'));
    const late = applySagaEvent(plan, state, { ...ok('b'), now: 3_600_000 });
    expect(late.state.steps[1].tasks[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('runs the tasks of a step in parallel and waits for all of them', () => {
    let { state, commands } = feed(plan, start(plan).state, ok('a'));
    expect(runTasks(commands)).toEqual(['b#1', 'c#1']);
    ({ state, commands } = feed(plan, state, ok('b')));
    expect(runTasks(commands)).toEqual([]);
    ({ state, commands } = feed(plan, state, ok('c'), ok('d')));
    expect(state.status).toBe('completed');
    expect(finish(commands)).toEqual({
      type: 'finish',
      status: 'completed',
      result: { a: { task: 'a' }, b: { task: 'b' }, c: { task: 'c' }, d: { task: 'd' } },
    });
  });

  it('passes mapped inputs and earlier outputs to the next step', () => {
    const mapped: SagaPlan = {
      flow: 'm',
      steps: [
        { name: 'one', tasks: [plannedTask('a')], map: sagaInputToEach(['a']) },
        {
          name: 'two',
          tasks: [plannedTask('b')],
          map: (s) => ({ b: { fromA: s.out('a'), input: s.input } }),
        },
      ],
    };
    const { commands } = feed(mapped, start(mapped).state, ok('a', 42));
    expect(commands.find((c) => c.type === 'run-task')).toEqual({
      type: 'run-task',
      step: 'two',
      task: 'b',
      attempt: 1,
      input: { fromA: 42, input: { n: 1 } },
    });
  });

  it('retries a retryable failure after a backoff, then succeeds', () => {
    let { state, commands } = feed(plan, start(plan).state, fail('a', true));
    expect(state.steps[0].tasks[0].status).toBe('waiting');
    const retry = commands.find((c) => c.type === 'schedule');
    expect(retry).toMatchObject({ timer: { kind: 'task-retry', task: 'a', attempt: 1 } });
    const dueAt = retry!.type === 'schedule' ? retry!.timer.dueAt : 0;
    expect(dueAt).toBeGreaterThanOrEqual(10 + 80);
    expect(dueAt).toBeLessThanOrEqual(10 + 100);
    ({ state, commands } = feed(plan, state, {
      type: 'timer',
      timer: { kind: 'task-retry', task: 'a', attempt: 1, dueAt },
      now: dueAt,
    }));
    expect(runTasks(commands)).toEqual(['a#2']);
    ({ state } = feed(plan, state, ok('a', 'x', 2)));
    expect(state.steps[0].tasks[0]).toMatchObject({ status: 'succeeded', attempts: 2, output: 'x' });
  });

  it('fails at once on a non-retryable error and compensates earlier steps, newest first', () => {
    let { state, commands } = feed(plan, start(plan).state, ok('a'), ok('b'), ok('c'), fail('d', false));
    expect(state.status).toBe('compensating');
    expect(state.failure).toEqual({ step: 'step-3', task: 'd', error: { message: 'd broke' } });
    expect(compensations(commands)).toEqual(['b:succeeded', 'c:succeeded']);
    ({ state, commands } = feed(plan, state, undone('b')));
    expect(compensations(commands)).toEqual([]);
    ({ state, commands } = feed(plan, state, undone('c')));
    expect(compensations(commands)).toEqual(['a:succeeded']);
    ({ state, commands } = feed(plan, state, undone('a')));
    expect(state.status).toBe('compensated');
    expect(finish(commands)).toMatchObject({ status: 'compensated', failure: { step: 'step-3', task: 'd' } });
    expect(compensatedTasks(state)).toEqual(['b', 'c', 'a']);
  });

  it('waits for a running sibling before compensating the failed step, and never compensates a failed task', () => {
    let { state, commands } = feed(plan, start(plan).state, ok('a'), fail('b', false));
    expect(compensations(commands)).toEqual([]);
    ({ state, commands } = feed(plan, state, ok('c')));
    expect(compensations(commands)).toEqual(['c:succeeded']);
    ({ state, commands } = feed(plan, state, undone('c'), undone('a')));
    expect(state.status).toBe('compensated');
    expect(state.steps[1].tasks[0].compensation).toBeUndefined();
  });

  it('treats an attempt that outran its timeout as unknown and compensates it if it was the last', () => {
    const oneShot = planOf([['a'], [plannedTask('b', { attempts: 1 })]]);
    const { state, commands } = feed(oneShot, start(oneShot).state, ok('a'), outran('b'));
    expect(state.steps[1].tasks[0]).toMatchObject({ status: 'unknown', error: { name: TASK_TIMEOUT_ERROR } });
    expect(compensations(commands)).toEqual(['b:unknown']);
  });

  it('retries an attempt that outran its timeout, and takes the late success of the first attempt', () => {
    let { state, commands } = feed(plan, start(plan).state, outran('a'));
    expect(state.steps[0].tasks[0]).toMatchObject({ status: 'waiting', uncertain: true });
    ({ state, commands } = feed(plan, state, ok('a', 'late', 1)));
    expect(state.steps[0].tasks[0]).toMatchObject({ status: 'succeeded', output: 'late' });
    expect(state.steps[0].tasks[0].uncertain).toBeUndefined();
    expect(runTasks(commands)).toEqual(['b#1', 'c#1']);
  });

  it('compensates a sibling backing off after an unknown attempt when its step fails', () => {
    const { state, commands } = feed(plan, start(plan).state, ok('a'), outran('b'), fail('c', false));
    expect(state.steps[1].tasks.map((t) => t.status)).toEqual(['unknown', 'failed']);
    expect(compensations(commands)).toEqual(['b:unknown']);
  });

  it('compensates with outcome unknown a task whose output was unusable, and never retries it', () => {
    const unusable: SagaEvent = {
      type: 'task-failed',
      task: 'b',
      attempt: 1,
      retryable: false,
      outcome: 'unknown',
      error: { name: 'TaskOutputError', message: 'the output is not JSON' },
      now: 10,
    };
    const { state, commands } = feed(plan, start(plan).state, ok('a'), unusable, ok('c'));
    expect(state.steps[1].tasks[0].status).toBe('unknown');
    expect(runTasks(commands)).toEqual([]);
    expect(compensations(commands)).toEqual(['b:unknown', 'c:succeeded']);
  });

  it('ends a task without an outcome at its deadline, counted from the first dispatch', () => {
    const bounded = planOf([['a'], [plannedTask('b', { deadlineMs: 60_000 }), 'c']]);
    let { state, commands } = feed(bounded, start(bounded).state, ok('a'));
    expect(commands).toContainEqual({
      type: 'schedule',
      timer: { kind: 'task-deadline', task: 'b', attempt: 1, dueAt: 60_010 },
    });
    ({ state, commands } = feed(bounded, state, outran('b'), ok('c'), timer('task-deadline', 60_010, 'b')));
    expect(state.steps[1].tasks[0]).toMatchObject({
      status: 'unknown',
      error: { name: TASK_DEADLINE_ERROR },
    });
    expect(state.failure).toMatchObject({ step: 'step-2', task: 'b' });
    expect(compensations(commands)).toEqual(['b:unknown', 'c:succeeded']);
  });

  it('ignores a task deadline once the task has its outcome', () => {
    const bounded = planOf([[plannedTask('a', { deadlineMs: 60_000 })], ['b']]);
    const { state } = feed(bounded, start(bounded).state, ok('a'));
    expect(applySagaEvent(bounded, state, timer('task-deadline', 60_000, 'a')).changed).toBe(false);
  });

  it('ends the open tasks of the current step at the saga deadline and compensates', () => {
    const bounded = { ...planOf([['a'], ['b', 'c']]), deadlineMs: 300_000 };
    const started = start(bounded);
    expect(started.commands).toContainEqual({
      type: 'schedule',
      timer: { kind: 'saga-deadline', attempt: 1, dueAt: 300_000 },
    });
    const { state, commands } = feed(
      bounded,
      started.state,
      ok('a'),
      ok('c'),
      timer('saga-deadline', 300_000),
    );
    expect(state.steps[1].tasks[0]).toMatchObject({
      status: 'unknown',
      error: { name: SAGA_DEADLINE_ERROR },
    });
    expect(compensations(commands)).toEqual(['b:unknown', 'c:succeeded']);
    expect(applySagaEvent(bounded, state, timer('saga-deadline', 300_000)).changed).toBe(false);
  });

  it('ignores duplicate replies, stale timers and unknown tasks', () => {
    const { state } = feed(plan, start(plan).state, ok('a'));
    expect(applySagaEvent(plan, state, ok('a')).changed).toBe(false);
    expect(applySagaEvent(plan, state, timer('task-retry', 1000, 'a')).changed).toBe(false);
    expect(applySagaEvent(plan, state, ok('nope')).changed).toBe(false);
    expect(applySagaEvent(plan, state, fail('b', true, 2)).changed).toBe(false);
  });

  it('stalls when a compensation keeps failing past its horizon', () => {
    const strict = planOf([[plannedTask('a', { compensationHorizonMs: 1 })], ['b']]);
    const { state, commands } = feed(strict, start(strict).state, ok('a'), fail('b', false), {
      type: 'compensation-failed',
      task: 'a',
      attempt: 1,
      error: { message: 'refund service down' },
      now: 30,
    });
    expect(state.status).toBe('stalled');
    expect(state.steps[0].tasks[0].compensation).toMatchObject({
      status: 'failed',
      error: { message: 'refund service down' },
    });
    expect(finish(commands)).toMatchObject({ status: 'stalled', failure: { task: 'b' } });
    expect(applySagaEvent(strict, state, undone('a')).changed).toBe(false);
  });

  it('skips tasks that are not compensable', () => {
    const mixed = planOf([[plannedTask('a', { compensable: false })], ['b']]);
    const { state, commands } = feed(mixed, start(mixed).state, ok('a'), fail('b', false));
    expect(state.status).toBe('compensated');
    expect(compensations(commands)).toEqual([]);
  });

  it('fails the step when its mapper throws, and undoes what came before', () => {
    const broken: SagaPlan = {
      flow: 'b',
      steps: [
        { name: 'one', tasks: [plannedTask('a')], map: sagaInputToEach(['a']) },
        {
          name: 'two',
          tasks: [plannedTask('b')],
          map: () => {
            throw new Error('no price');
          },
        },
      ],
    };
    const { state, commands } = feed(broken, start(broken).state, ok('a'));
    expect(state.failure).toMatchObject({
      step: 'two',
      task: 'b',
      error: { message: expect.stringContaining('no price') },
    });
    expect(compensations(commands)).toEqual(['a:succeeded']);
  });

  it.each<[string, unknown, RegExp]>([
    ['a misspelled key', { b: 1, cc: 2 }, /gave no input for 'c'/],
    [
      'a key of no task of the step',
      { b: 1, c: 2, d: 3 },
      /returned 'd', not a task of the step \('b', 'c'\)/,
    ],
    ['nothing', undefined, /returned undefined; expected an object with an input for each task/],
    ['an array', [1, 2], /returned an array/],
  ])('fails the step when its mapper returns %s, and undoes what came before', (_, returned, reason) => {
    const plan: SagaPlan = {
      flow: 'k',
      steps: [
        { name: 'one', tasks: [plannedTask('a')], map: sagaInputToEach(['a']) },
        { name: 'two', tasks: [plannedTask('b'), plannedTask('c')], map: () => returned },
      ],
    };
    const { state, commands } = feed(plan, start(plan).state, ok('a'));
    expect(state.failure).toMatchObject({
      step: 'two',
      error: { name: STEP_MAPPER_ERROR, message: expect.stringMatching(reason) },
    });
    expect(commands.filter((c) => c.type === 'run-task')).toEqual([]);
    expect(compensations(commands)).toEqual(['a:succeeded']);
  });

  it('takes a task input by wire name, and null as an input', () => {
    const plan: SagaPlan = {
      flow: 'w',
      steps: [
        {
          name: 'one',
          tasks: [{ ...plannedTask('book-hotel'), key: 'bookHotel' }, plannedTask('pay')],
          map: () => ({ 'book-hotel': { nights: 2 }, pay: null }),
        },
      ],
    };
    const runs = start(plan).commands.filter((c) => c.type === 'run-task');
    expect(runs.map((c) => [c.task, c.input])).toEqual([
      ['book-hotel', { nights: 2 }],
      ['pay', null],
    ]);
  });

  describe("a flow's result", () => {
    const resume: SagaEvent = {
      type: 'operator',
      action: { type: 'resume', by: 'op', reason: 'fixed' },
      now: 50,
    };
    const withResult = (result: SagaPlan['result']): SagaPlan => ({ ...planOf([['a'], ['b']]), result });

    it('answers what the result composes from the outputs, instead of the outputs by task', () => {
      const plan = withResult((s) => ({ total: (s.out('a') as number) + (s.out('b') as number) }));
      const { state, commands } = feed(plan, start(plan).state, ok('a', 2), ok('b', 3));
      expect(state.status).toBe('completed');
      expect(finish(commands)).toEqual({ type: 'finish', status: 'completed', result: { total: 5 } });
      expect(state.result).toEqual({ total: 5 });
    });

    it('stalls at the last step when the result throws or is not JSON, keeping every effect, and resume composes it again', () => {
      let broken = true;
      const plan = withResult((s) => {
        if (broken) throw new Error('no such field');
        return { a: s.out('a') };
      });
      const { state, commands } = feed(plan, start(plan).state, ok('a', 1), ok('b'));
      expect(state.status).toBe('stalled');
      expect(state.stall).toMatchObject({
        phase: 'forward',
        step: 'step-2',
        error: { name: SAGA_RESULT_ERROR, message: "the flow's result could not be composed: no such field" },
      });
      expect(compensations(commands)).toEqual([]);
      expect(finish(commands)).toMatchObject({ status: 'stalled' });
      broken = false;
      const resumed = feed(plan, state, resume);
      expect(finish(resumed.commands)).toEqual({ type: 'finish', status: 'completed', result: { a: 1 } });
      expect(resumed.commands.filter((c) => c.type === 'announce' && c.event === 'step-completed')).toEqual(
        [],
      );

      const bigint = withResult(() => ({ n: BigInt(1) }));
      const stalled = feed(bigint, start(bigint).state, ok('a'), ok('b')).state;
      expect(stalled.stall?.error.message).toMatch(/BigInt/);
    });
  });
});
