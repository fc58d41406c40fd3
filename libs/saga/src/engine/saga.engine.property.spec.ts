import fc from 'fast-check';
import { applySagaEvent, startSaga } from './saga.engine';
import { SAGA_LIFECYCLE, type SagaCommand } from './saga-command';
import type { SagaEvent } from './saga-event';
import type { SagaOperatorAction } from './saga-operator-action';
import type { SagaPlan, StepAggregator } from './saga-plan';
import { isSettled, isTerminal, type SagaState } from './saga-state';
import { plannedTask, sagaInputToEach } from './testing/plan.fixture';

/**
 * Runs the engine against a simulated world of workers guarded by a fenced barrier, over a network that
 * duplicates and reorders every message (delivery is at least once: a crash before a reply is a repeated
 * delivery). Workers answer `unknown` when an attempt outruns its timeout while the handler goes on and
 * completes later; a delivery that finds the task held waits or outruns its timeout; a compensation claims
 * the task, may claim one that a live run holds, and that run then undoes its own late effect; outputs may
 * be unusable; deadlines fire at any point. Checks the invariants of ARCHITECTURE.md on every run.
 */

type BarrierState = 'none' | 'running' | 'abandoned' | 'done' | 'compensating' | 'compensated';

interface Barrier {
  state: BarrierState;
  /** done: the output was unusable (outcome unknown). */
  unusable?: boolean;
  /** compensating: whether a compensation holds the claim right now. */
  held?: boolean;
  /** running / abandoned: the attempt that took it. */
  attempt?: number;
}

type Item =
  | { kind: 'event'; event: SagaEvent }
  | { kind: 'command'; command: Extract<SagaCommand, { type: 'run-task' | 'compensate-task' }> }
  /** A handler that began and has not finished yet. */
  | { kind: 'run-ends'; task: string; attempt: number }
  | { kind: 'undo-ends'; task: string; attempt: number };

interface World {
  plan: SagaPlan;
  state: SagaState;
  now: number;
  inbox: Item[];
  barrier: Map<string, Barrier>;
  /** Effects applied per task, and how many of them are still in place. */
  applied: Map<string, number>;
  present: Map<string, number>;
  finishes: SagaCommand[];
  /** Lifecycle events announced, as `event` or `event:step`. */
  announced: string[];
  compensationSteps: number[];
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const planArb = fc
  .record({
    deadline: fc.option(fc.integer({ min: 1, max: 5_000 }), { nil: undefined }),
    steps: fc.array(
      fc.array(
        fc.record({
          attempts: fc.integer({ min: 1, max: 3 }),
          compensable: fc.boolean(),
          compensationHorizonMs: fc.integer({ min: 1, max: 3_000 }),
          deadlineMs: fc.option(fc.integer({ min: 1, max: 5_000 }), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      { minLength: 1, maxLength: 4 },
    ),
    stalls: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    aggregators: fc.array(
      fc.oneof(
        fc.constantFrom<StepAggregator>('all', 'failFast', 'bestEffort'),
        fc.integer({ min: 1, max: 3 }).map((quorum): StepAggregator => ({ quorum })),
      ),
      { minLength: 4, maxLength: 4 },
    ),
    /** Index of the pivot step; none when it is past the last step. */
    pivot: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ deadline, steps, stalls, aggregators, pivot }): SagaPlan => ({
    flow: 'prop',
    events: SAGA_LIFECYCLE,
    ...(deadline !== undefined ? { deadlineMs: deadline } : {}),
    steps: steps.map((tasks, s) => ({
      name: `s${s}`,
      tasks: tasks.map(({ deadlineMs, ...policy }, t) =>
        plannedTask(`t${s}-${t}`, { ...policy, ...(deadlineMs !== undefined ? { deadlineMs } : {}) }),
      ),
      map: sagaInputToEach(tasks.map((_, t) => `t${s}-${t}`)),
      ...(stalls[s] ? { onFailure: 'stall' as const } : {}),
      ...aggregatorFor(aggregators[s], tasks.length),
      ...(s === pivot ? { pivot: true } : {}),
    })),
  }));

/** The drawn aggregator, a quorum capped at the step's size; `all` is left as the default. */
function aggregatorFor(aggregator: StepAggregator, size: number): { aggregator?: StepAggregator } {
  if (aggregator === 'all') return {};
  return {
    aggregator: typeof aggregator === 'object' ? { quorum: Math.min(aggregator.quorum, size) } : aggregator,
  };
}

/** Whether a step's tasks, as they stand, satisfy its aggregator. */
function aggregatorSatisfied(
  step: SagaPlan['steps'][number],
  tasks: SagaState['steps'][number]['tasks'],
): boolean {
  const succeeded = tasks.filter((t) => t.status === 'succeeded').length;
  const aggregator = step.aggregator ?? 'all';
  if (aggregator === 'bestEffort')
    return tasks.every((t) => !['pending', 'running', 'waiting'].includes(t.status));
  return succeeded >= (typeof aggregator === 'object' ? aggregator.quorum : tasks.length);
}

/** Rates of what goes wrong in the simulated world. */
const worldArb = fc.record({
  seed: fc.integer(),
  taskFail: fc.double({ min: 0, max: 0.6, noNaN: true }),
  fatal: fc.double({ min: 0, max: 0.5, noNaN: true }),
  outrun: fc.double({ min: 0, max: 0.4, noNaN: true }),
  unusable: fc.double({ min: 0, max: 0.2, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  undoFail: fc.double({ min: 0, max: 0.5, noNaN: true }),
  /** Share of compensation failures where the handler refuses (no retry: the saga stalls at once). */
  undoRefused: fc.double({ min: 0, max: 0.5, noNaN: true }),
  /** How likely an operator acts at any moment, besides acting on every stall. */
  operator: fc.double({ min: 0, max: 0.05, noNaN: true }),
});

/** Most operator actions one simulated saga sees, so that every run settles. */
const OPERATOR_BUDGET = 6;

type Rates = typeof worldArb extends fc.Arbitrary<infer R> ? R : never;

function stepOf(plan: SagaPlan, task: string): number {
  return plan.steps.findIndex((s) => s.tasks.some((t) => t.name === task));
}

function bump(map: Map<string, number>, key: string, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** One simulated worker handling one item; the barrier serialises what runs. */
class Participant {
  constructor(
    private readonly world: World,
    private readonly rates: Rates,
    private readonly random: () => number,
  ) {}

  send(command: SagaCommand): void {
    if (command.type === 'schedule') {
      this.world.inbox.push({ kind: 'event', event: { type: 'timer', timer: command.timer, now: 0 } });
    } else if (command.type === 'finish') {
      this.world.finishes.push(command);
    } else if (command.type === 'announce') {
      this.world.announced.push(command.step ? `${command.event}:${command.step}` : command.event);
    } else {
      // The order the engine sends compensations in (deliveries may come in any order).
      if (command.type === 'compensate-task')
        this.world.compensationSteps.push(stepOf(this.world.plan, command.task));
      this.deliver({ kind: 'command', command });
    }
  }

  handle(item: Item): void {
    if (item.kind === 'command') {
      if (item.command.type === 'run-task') this.run(item.command.task, item.command.attempt, item);
      else this.compensate(item.command.task, item.command.attempt, item);
    } else if (item.kind === 'run-ends') this.runEnds(item.task, item.attempt);
    else if (item.kind === 'undo-ends') this.undoEnds(item.task, item.attempt);
  }

  private barrier(task: string): Barrier {
    let barrier = this.world.barrier.get(task);
    if (!barrier) this.world.barrier.set(task, (barrier = { state: 'none' }));
    return barrier;
  }

  private run(task: string, attempt: number, item: Item): void {
    const barrier = this.barrier(task);
    switch (barrier.state) {
      case 'done':
        return barrier.unusable ? this.failed(task, attempt, false, true) : this.succeeded(task, attempt);
      case 'compensating':
      case 'compensated':
        return this.failed(task, attempt, false, false);
      case 'running':
        // Another delivery holds the task: wait for it, or outrun this attempt's timeout while waiting.
        if (this.random() < 0.5) return void this.world.inbox.push(item);
        return this.failed(task, attempt, true, true);
      case 'abandoned':
        // A repeated delivery of an attempt that already failed fails again: it never runs.
        if ((barrier.attempt ?? 0) >= attempt) return this.failed(task, attempt, true, false);
        return this.begin(task, attempt, barrier);
      default:
        return this.begin(task, attempt, barrier);
    }
  }

  private begin(task: string, attempt: number, barrier: Barrier): void {
    barrier.state = 'running';
    barrier.attempt = attempt;
    this.world.inbox.push({ kind: 'run-ends', task, attempt });
    if (this.random() < this.rates.outrun) this.failed(task, attempt, true, true);
  }

  private runEnds(task: string, attempt: number): void {
    const barrier = this.barrier(task);
    const claimed = barrier.state === 'compensating' || barrier.state === 'compensated';
    const roll = this.random();
    if (roll < this.rates.taskFail) {
      if (barrier.state === 'running') barrier.state = 'abandoned';
      return this.failed(task, attempt, this.random() >= this.rates.fatal, false);
    }
    bump(this.world.applied, task, 1);
    bump(this.world.present, task, 1);
    if (claimed) {
      // Finished after a compensation claimed the task: the worker undoes its own late effect.
      bump(this.world.present, task, -1);
      return;
    }
    if (barrier.state === 'running') {
      barrier.state = 'done';
      barrier.unusable = roll < this.rates.taskFail + this.rates.unusable;
    }
    if (barrier.unusable) this.failed(task, attempt, false, true);
    else this.succeeded(task, attempt);
  }

  private compensate(task: string, attempt: number, item: Item): void {
    const barrier = this.barrier(task);
    switch (barrier.state) {
      case 'none':
      case 'abandoned':
      case 'compensated':
        barrier.state = 'compensated';
        return this.undoReply(task, attempt, true);
      case 'compensating':
        if (!barrier.held) break;
        if (this.random() < 0.5) return void this.world.inbox.push(item);
        return this.undoReply(task, attempt, false);
      case 'running':
        // A live run holds the task: wait for it, or presume it hung and claim the task.
        if (this.random() < 0.5) return void this.world.inbox.push(item);
        break;
    }
    barrier.state = 'compensating';
    barrier.held = true;
    this.world.inbox.push({ kind: 'undo-ends', task, attempt });
  }

  private undoEnds(task: string, attempt: number): void {
    const barrier = this.barrier(task);
    if (this.random() < this.rates.undoFail) {
      barrier.held = false;
      return this.undoReply(task, attempt, false);
    }
    if ((this.world.present.get(task) ?? 0) > 0) bump(this.world.present, task, -1);
    barrier.state = 'compensated';
    this.undoReply(task, attempt, true);
  }

  private succeeded(task: string, attempt: number): void {
    this.reply({ type: 'task-succeeded', task, attempt, output: task, now: 0 });
  }

  private failed(task: string, attempt: number, retryable: boolean, unknown: boolean): void {
    this.reply({
      type: 'task-failed',
      task,
      attempt,
      retryable,
      ...(unknown ? { outcome: 'unknown' as const } : {}),
      error: { message: unknown ? 'outcome unknown' : 'boom' },
      now: 0,
    });
  }

  private undoReply(task: string, attempt: number, ok: boolean): void {
    this.reply(
      ok
        ? { type: 'compensation-succeeded', task, attempt, now: 0 }
        : {
            type: 'compensation-failed',
            task,
            attempt,
            error: { message: 'undo boom' },
            retryable: this.random() >= this.rates.undoRefused,
            now: 0,
          },
    );
  }

  private reply(event: SagaEvent): void {
    this.deliver({ kind: 'event', event });
  }

  /** At least once: sometimes twice. */
  private deliver(item: Item): void {
    this.world.inbox.push(item);
    if (this.random() < this.rates.duplicate) this.world.inbox.push(item);
  }
}

/**
 * What a simulated operator does: on a stall, what would move it on (resume, retry or skip the stalled task,
 * compensate); at any other moment, any action on any task, which the engine may refuse. Never a forward
 * skip: it stands for work done by hand, which the simulated world does not model.
 */
function operatorAction(
  world: World,
  random: () => number,
  stalledOnly: boolean,
): SagaOperatorAction | undefined {
  const { state, plan } = world;
  const note = { by: 'op', reason: 'simulated' };
  const compensating = state.status === 'compensating' || state.stall?.phase === 'compensation';
  const tasks = plan.steps.flatMap((s) => s.tasks.map((t) => t.name));
  const task = stalledOnly && state.stall ? state.stall.task : tasks[Math.floor(random() * tasks.length)];
  const roll = random();
  if (stalledOnly && !state.stall) return undefined;
  if (roll < 0.35) return { type: 'resume', ...note };
  if (roll < 0.6) return { type: 'retry', task, ...note };
  if (roll < 0.75 && compensating) return { type: 'skip', task, ...note };
  if (roll < 0.9) return { type: 'compensate', ...note };
  return { type: stalledOnly ? 'resume' : 'cancel', ...note };
}

function checkTransition(world: World, before: SagaState, after: SagaState, commands: SagaCommand[]): void {
  for (const command of commands) {
    if (command.type === 'run-task' && command.attempt === 1) {
      // A step starts only after each earlier step's aggregator was satisfied.
      const step = stepOf(world.plan, command.task);
      const unsatisfied = world.plan.steps
        .slice(0, step)
        .filter((planned, s) => !aggregatorSatisfied(planned, after.steps[s].tasks));
      expect(unsatisfied.map((planned) => planned.name)).toEqual([]);
    }
    if (command.type === 'compensate-task') {
      const task = before.steps[stepOf(world.plan, command.task)].tasks.find((t) => t.name === command.task)!;
      expect(task.status).not.toBe('failed');
      expect(task.status).not.toBe('cancelled');
    }
  }
}

function simulate(plan: SagaPlan, rates: Rates): World {
  const random = mulberry32(rates.seed);
  const started = startSaga(plan, { id: 'p', traceId: 't', input: null, now: 0 });
  const world: World = {
    plan,
    state: started.state,
    now: 0,
    inbox: [],
    barrier: new Map(),
    applied: new Map(),
    present: new Map(),
    finishes: [],
    announced: [],
    compensationSteps: [],
  };
  const participant = new Participant(world, rates, random);
  started.commands.forEach((c) => participant.send(c));
  let budget = OPERATOR_BUDGET;
  const operate = (stalledOnly: boolean) => {
    const action = operatorAction(world, random, stalledOnly);
    if (!action || budget === 0) return;
    budget--;
    world.inbox.push({ kind: 'event', event: { type: 'operator', action, now: 0 } });
  };
  for (let guard = 0; ; guard++) {
    if (guard > 50_000) throw new Error('the saga never settles');
    // An operator sees to every stall while the budget lasts, and sometimes acts at any moment.
    if (world.inbox.length === 0 && world.state.status === 'stalled') operate(true);
    else if (random() < rates.operator) operate(false);
    if (world.inbox.length === 0) break;
    const [item] = world.inbox.splice(Math.floor(random() * world.inbox.length), 1);
    if (item.kind !== 'event') {
      participant.handle(item);
      continue;
    }
    const { event } = item;
    world.now = Math.max(world.now + 1, event.type === 'timer' ? event.timer.dueAt : 0);
    // Frozen: the engine must write only into its own copy (it shares the values it does not change).
    const before = deepFreeze(world.state);
    const transition = applySagaEvent(plan, before, { ...event, now: world.now });
    if (isTerminal(before.status)) expect(transition.changed).toBe(false);
    if (!transition.changed) continue;
    if (event.type === 'operator' && event.action.type === 'skip') {
      // The operator undid the task by hand.
      if ((world.present.get(event.action.task) ?? 0) > 0) bump(world.present, event.action.task, -1);
    }
    expect(transition.state.version).toBe(before.version + 1);
    checkTransition(world, before, transition.state, transition.commands);
    world.state = transition.state;
    transition.commands.forEach((c) => participant.send(c));
  }
  return world;
}

describe('saga engine invariants (property-based)', () => {
  it('holds every invariant under duplication, reordering, outrun and late attempts, deadlines, retries, stalls and operator actions', () => {
    fc.assert(
      fc.property(planArb, worldArb, (plan, rates) => {
        const world = simulate(plan, rates);
        const { state } = world;

        // Every saga settles: terminal, announced once, or stalled at one step and announced as such.
        expect(isSettled(state.status)).toBe(true);
        const terminal = world.finishes.filter((f) => f.type === 'finish' && f.status !== 'stalled');
        expect(terminal).toHaveLength(isTerminal(state.status) ? 1 : 0);
        expect(world.finishes.at(-1)).toMatchObject({ status: state.status });

        // Lifecycle events are decided once each: started, every completed step, and a rollback iff it failed.
        const failedAt = state.failure
          ? state.steps.findIndex((step) => step.name === state.failure?.step)
          : state.stall
            ? state.step
            : state.steps.length;
        const completedSteps = state.steps.slice(0, failedAt);
        expect(world.announced).toEqual([
          'started',
          ...completedSteps.map((step) => `step-completed:${step.name}`),
          ...(state.failure ? [`rollback:${state.failure.step}`] : []),
        ]);

        // Each task's effect is applied at most once: no retry ran beside a run that held the task.
        for (const count of world.applied.values()) expect(count).toBe(1);

        // Compensations run newest step first.
        const order = world.compensationSteps;
        for (let i = 1; i < order.length; i++) expect(order[i]).toBeLessThanOrEqual(order[i - 1]);

        const compensable = new Set(
          plan.steps.flatMap((s) => s.tasks.filter((t) => t.policy.compensable).map((t) => t.name)),
        );
        if (state.status === 'completed') {
          // Every step as its aggregator wants it, and each task that succeeded took effect once.
          plan.steps.forEach((step, s) => expect(aggregatorSatisfied(step, state.steps[s].tasks)).toBe(true));
          for (const task of state.steps.flatMap((s) => s.tasks))
            if (task.status === 'succeeded') expect(world.present.get(task.name)).toBe(1);
          expect(state.failure).toBeUndefined();
        }
        const pivot = plan.steps.findIndex((step) => step.pivot);
        if (state.status === 'compensated') {
          // No orphan: no effect of a compensable task is left behind a compensated saga.
          for (const [task, count] of world.present) if (compensable.has(task)) expect(count).toBe(0);
          expect(state.failure).toBeDefined();
        }
        if (state.failure && pivot >= 0) {
          // A saga rolls back only from its pivot step or an earlier one.
          expect(state.steps.findIndex((step) => step.name === state.failure?.step)).toBeLessThanOrEqual(
            pivot,
          );
        }
        // A stall names its step, and something there an operator must see to.
        if (state.status === 'stalled') {
          const tasks = state.steps[state.step].tasks;
          expect(state.stall?.step).toBe(state.steps[state.step].name);
          if (state.stall?.phase === 'compensation')
            expect(tasks.some((t) => t.compensation?.status === 'failed')).toBe(true);
          else expect(tasks.some((t) => ['failed', 'unknown', 'cancelled'].includes(t.status))).toBe(true);
        } else {
          expect(state.stall).toBeUndefined();
        }
        // A task that failed definitively is never compensated.
        for (const step of state.steps) {
          for (const task of step.tasks)
            if (task.status === 'failed') expect(task.compensation).toBeUndefined();
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('is deterministic: the same events give the same states and commands', () => {
    fc.assert(
      fc.property(planArb, worldArb, (plan, rates) => {
        const a = simulate(plan, rates);
        const b = simulate(plan, rates);
        expect(b.state).toEqual(a.state);
        expect(b.finishes).toEqual(a.finishes);
      }),
      { numRuns: 200 },
    );
  });
});

/** Freezes `value` and everything it holds, so that any write into it throws (specs run in strict mode). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
