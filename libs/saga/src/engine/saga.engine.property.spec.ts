import fc from 'fast-check';
import { applySagaEvent, startSaga } from './saga.engine';
import type { SagaCommand } from './saga-command';
import type { SagaEvent } from './saga-event';
import type { SagaPlan } from './saga-plan';
import { isTerminal, type SagaState } from './saga-state';
import { plannedTask } from './testing/plan.fixture';

/**
 * Runs the engine against a simulated world: participants guarded by a barrier (an effect is applied at most
 * once per task; a compensation that comes first blocks the task), a network that loses, duplicates and
 * reorders messages at random, and timers that fire late or early relative to replies. Checks the
 * invariants of ARCHITECTURE.md on every run.
 */

type Barrier = 'none' | 'done' | 'compensated';

interface World {
  plan: SagaPlan;
  state: SagaState;
  now: number;
  inbox: SagaEvent[];
  barrier: Map<string, Barrier>;
  effects: Map<string, number>;
  undone: Map<string, number>;
  finishes: SagaCommand[];
  compensationSteps: number[];
  log: string[];
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
  .array(
    fc.array(
      fc.record({
        attempts: fc.integer({ min: 1, max: 3 }),
        compensable: fc.boolean(),
        compensationAttempts: fc.integer({ min: 1, max: 4 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((steps): SagaPlan => ({
    flow: 'prop',
    steps: steps.map((tasks, s) => ({
      name: `s${s}`,
      tasks: tasks.map((policy, t) => plannedTask(`t${s}-${t}`, policy)),
      map: () => undefined,
    })),
  }));

/** Failure rates of the simulated world. */
const worldArb = fc.record({
  seed: fc.integer(),
  taskFail: fc.double({ min: 0, max: 0.6, noNaN: true }),
  fatal: fc.double({ min: 0, max: 0.5, noNaN: true }),
  lose: fc.double({ min: 0, max: 0.3, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  undoFail: fc.double({ min: 0, max: 0.5, noNaN: true }),
});

type Rates = typeof worldArb extends fc.Arbitrary<infer R> ? R : never;

function stepOf(plan: SagaPlan, task: string): number {
  return plan.steps.findIndex((s) => s.tasks.some((t) => t.name === task));
}

/** What the participant does with a command: applies it behind the barrier and maybe replies. */
function deliverCommand(world: World, command: SagaCommand, rates: Rates, random: () => number): void {
  const reply = (event: SagaEvent) => {
    if (random() < rates.lose) return;
    world.inbox.push(event);
    if (random() < rates.duplicate) world.inbox.push(event);
  };
  if (command.type === 'schedule') {
    world.inbox.push({ type: 'timer', timer: command.timer, now: command.timer.dueAt });
    return;
  }
  if (command.type === 'finish') {
    world.finishes.push(command);
    return;
  }
  if (random() < rates.lose) return; // the command itself is lost
  const key = command.task;
  const barrier = world.barrier.get(key) ?? 'none';
  if (command.type === 'run-task') {
    if (barrier === 'done')
      return reply({ type: 'task-succeeded', task: key, attempt: command.attempt, output: key, now: 0 });
    if (barrier === 'compensated') {
      return reply({
        type: 'task-failed',
        task: key,
        attempt: command.attempt,
        retryable: false,
        error: { message: 'hanging' },
        now: 0,
      });
    }
    if (random() < rates.taskFail) {
      const retryable = random() >= rates.fatal;
      return reply({
        type: 'task-failed',
        task: key,
        attempt: command.attempt,
        retryable,
        error: { message: 'boom' },
        now: 0,
      });
    }
    world.barrier.set(key, 'done');
    world.effects.set(key, (world.effects.get(key) ?? 0) + 1);
    return reply({ type: 'task-succeeded', task: key, attempt: command.attempt, output: key, now: 0 });
  }
  world.compensationSteps.push(stepOf(world.plan, key));
  if (barrier !== 'compensated') {
    if (random() < rates.undoFail) {
      return reply({
        type: 'compensation-failed',
        task: key,
        attempt: command.attempt,
        error: { message: 'undo boom' },
        now: 0,
      });
    }
    if (barrier === 'done') world.undone.set(key, (world.undone.get(key) ?? 0) + 1);
    world.barrier.set(key, 'compensated');
  }
  reply({ type: 'compensation-succeeded', task: key, attempt: command.attempt, now: 0 });
}

function checkTransition(world: World, before: SagaState, after: SagaState, commands: SagaCommand[]): void {
  for (const command of commands) {
    if (command.type === 'run-task' && command.attempt === 1) {
      // A step starts only after every task of the previous step succeeded.
      const step = stepOf(world.plan, command.task);
      const earlier = after.steps.slice(0, step).flatMap((s) => s.tasks);
      expect(earlier.filter((t) => t.status !== 'succeeded')).toEqual([]);
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
    effects: new Map(),
    undone: new Map(),
    finishes: [],
    compensationSteps: [],
    log: [],
  };
  started.commands.forEach((c) => deliverCommand(world, c, rates, random));
  for (let guard = 0; world.inbox.length > 0; guard++) {
    if (guard > 20_000) throw new Error('the saga never settles');
    const [event] = world.inbox.splice(Math.floor(random() * world.inbox.length), 1);
    world.now = Math.max(world.now, event.type === 'timer' ? event.timer.dueAt : world.now + 1);
    const before = world.state;
    const transition = applySagaEvent(plan, before, { ...event, now: world.now });
    if (isTerminal(before.status)) expect(transition.changed).toBe(false);
    if (!transition.changed) continue;
    expect(transition.state.version).toBe(before.version + 1);
    checkTransition(world, before, transition.state, transition.commands);
    world.state = transition.state;
    transition.commands.forEach((c) => deliverCommand(world, c, rates, random));
  }
  return world;
}

describe('saga engine invariants (property-based)', () => {
  it('holds every invariant under loss, duplication, reordering, timeouts and retries', () => {
    fc.assert(
      fc.property(planArb, worldArb, (plan, rates) => {
        const world = simulate(plan, rates);
        const { state } = world;

        // Every saga reaches exactly one terminal state, announced once.
        expect(isTerminal(state.status)).toBe(true);
        expect(world.finishes).toHaveLength(1);
        expect(world.finishes[0]).toMatchObject({ status: state.status });

        // Each task's effect is applied at most once, and undone at most once.
        for (const count of world.effects.values()) expect(count).toBe(1);
        for (const count of world.undone.values()) expect(count).toBe(1);

        // Compensations run newest step first.
        const order = world.compensationSteps;
        for (let i = 1; i < order.length; i++) expect(order[i]).toBeLessThanOrEqual(order[i - 1]);

        const compensable = new Set(
          plan.steps.flatMap((s) => s.tasks.filter((t) => t.policy.compensable).map((t) => t.name)),
        );
        if (state.status === 'completed') {
          const all = plan.steps.flatMap((s) => s.tasks.map((t) => t.name));
          expect([...world.effects.keys()].sort()).toEqual(all.sort());
          expect(world.undone.size).toBe(0);
          expect(state.failure).toBeUndefined();
        }
        if (state.status === 'compensated') {
          // Every effect that took place on a compensable task was undone.
          for (const task of world.effects.keys())
            if (compensable.has(task)) expect(world.undone.get(task)).toBe(1);
          expect(state.failure).toBeDefined();
        }
        if (state.status === 'failed') {
          expect(state.steps[state.step].tasks.some((t) => t.compensation?.status === 'failed')).toBe(true);
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
