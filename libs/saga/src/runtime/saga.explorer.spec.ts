import { Injectable, Scope, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Compensate, quorum, Saga, Step, Task } from '../decorators';
import { defineSaga, task, type TaskOptions } from '../definition/saga-contract';
import type { StepOptions } from '../decorators/step.decorator';
import type { SagaView } from '../engine/saga-plan';
import type { SagaState } from '../definition/saga-view';
import {
  CompensationWithoutTaskError,
  DuplicateSagaError,
  DuplicateStepError,
  DuplicateTaskHandlerError,
  EmptyStepError,
  InvalidSagaOptionError,
  MissingCompensationError,
  RequestScopedHostError,
  UnknownTaskError,
} from '../errors/saga-definition.error';
import { SagaModule } from '../saga.module';
import { MemoryTransport } from '../transport/memory/memory.transport';
import { SagaRegistry } from './saga.registry';

const Trip = defineSaga('trip', {
  tasks: {
    bookFlight: task<{ to: string }, { flight: string }>(),
    bookHotel: task(),
    notify: task({ compensable: false }),
  },
});

@Saga(Trip)
class TripSaga {
  @Step(1, ['bookFlight', 'bookHotel'])
  travel(s: SagaView) {
    return { bookFlight: { to: (s.input as { to: string }).to }, bookHotel: s.input };
  }

  @Step(2, ['notify'])
  tell(s: SagaView) {
    return { notify: s.input };
  }
}

@Injectable()
class TripTasks {
  @Task(Trip.task.bookFlight)
  flight() {
    return { flight: 'LH1' };
  }
  @Compensate(Trip.task.bookFlight)
  cancelFlight() {}

  @Task('trip', 'bookHotel')
  hotel() {}
  @Compensate('trip', 'book-hotel')
  cancelHotel() {}
}

/**
 * Boots `providers` on a transport instance, as apps of one process that share it would: the one-process checks
 * of `transport: 'memory'` (see task-hosting.spec.ts) do not apply, so a host may serve part of a flow.
 */
async function boot(...providers: Type[]) {
  const transport = new MemoryTransport();
  const moduleRef = await Test.createTestingModule({
    imports: [SagaModule.forRoot({ transport })],
    providers,
  }).compile();
  try {
    await moduleRef.init();
    return moduleRef.get(SagaRegistry);
  } finally {
    await moduleRef.close();
    await transport.close();
  }
}

describe('SagaExplorer', () => {
  it('builds the plan from @Step methods in order, with kebab-case names and resolved policies', async () => {
    const registry = await boot(TripSaga, TripTasks);
    const plan = registry.plan('trip')!;
    expect(plan.steps.map((s) => [s.name, s.tasks.map((t) => t.name)])).toEqual([
      ['travel', ['book-flight', 'book-hotel']],
      ['tell', ['notify']],
    ]);
    expect(plan.steps[1].tasks[0].policy).toMatchObject({
      compensable: false,
      attempts: 3,
      timeoutMs: 30_000,
    });
    expect(registry.allHostedTasks().map((t) => [t.task, !!t.run, !!t.compensate])).toEqual([
      ['book-flight', true, true],
      ['book-hotel', true, true],
    ]);
  });

  it('refuses two steps with the same order', async () => {
    @Saga(Trip)
    class Twice {
      @Step(1, ['bookFlight'])
      a() {
        return { bookFlight: { to: 'x' } };
      }
      @Step(1, ['bookHotel', 'notify'])
      b() {
        return { bookHotel: null, notify: null };
      }
    }
    await expect(boot(Twice)).rejects.toThrow(DuplicateStepError);
    await expect(boot(Twice)).rejects.toThrow(/Twice\.b: order 1 is taken/);
  });

  it('refuses a step with no tasks', async () => {
    @Saga(Trip)
    class Empty {
      @Step(1, ['bookFlight', 'bookHotel', 'notify'])
      a() {
        return { bookFlight: { to: 'x' }, bookHotel: null, notify: null };
      }
      @Step(2, [])
      nothing() {
        return {};
      }
    }
    await expect(boot(Empty)).rejects.toThrow(EmptyStepError);
  });

  it('names the known tasks when a step lists an unknown one', async () => {
    @Saga(Trip)
    class Typo {
      // @ts-expect-error -- the compiler catches the typo too (the method is typed by the contract)
      @Step(1, ['bookFlihgt'])
      a(s: SagaState<typeof Trip>) {
        return { bookFlight: { to: s.input } };
      }
    }
    await expect(boot(Typo)).rejects.toThrow(UnknownTaskError);
    await expect(boot(Typo)).rejects.toThrow(/no task 'bookFlihgt'.*bookFlight, bookHotel, notify/);
  });

  it('refuses a contract task that no step runs', async () => {
    @Saga(Trip)
    class Partial {
      @Step(1, ['bookFlight'])
      a() {
        return { bookFlight: { to: 'x' } };
      }
    }
    await expect(boot(Partial)).rejects.toThrow(/no @Step runs it/);
  });

  it('refuses two sagas for one flow', async () => {
    @Saga(Trip)
    class Other {
      @Step(1, ['bookFlight', 'bookHotel', 'notify'])
      a() {
        return { bookFlight: { to: 'x' }, bookHotel: null, notify: null };
      }
    }
    await expect(boot(TripSaga, Other)).rejects.toThrow(DuplicateSagaError);
  });

  it('refuses @Compensate without its @Task', async () => {
    @Injectable()
    class Orphan {
      @Compensate(Trip.task.bookHotel)
      undo() {}
    }
    await expect(boot(Orphan)).rejects.toThrow(CompensationWithoutTaskError);
  });

  it('refuses a compensable task hosted without compensation, and names the fix', async () => {
    @Injectable()
    class NoUndo {
      @Task(Trip.task.bookFlight)
      run() {
        return { flight: 'LH1' };
      }
    }
    await expect(boot(NoUndo)).rejects.toThrow(MissingCompensationError);
    await expect(boot(NoUndo)).rejects.toThrow(/NoUndo\.run.*compensable: false/);
  });

  it('accepts a non-compensable task without compensation', async () => {
    @Injectable()
    class Notifier {
      @Task(Trip.task.notify)
      run() {}
    }
    const registry = await boot(Notifier);
    expect(registry.allHostedTasks()).toHaveLength(1);
  });

  it('refuses two handlers for one task', async () => {
    @Injectable()
    class Again {
      @Task(Trip.task.notify)
      one() {}
      @Task(Trip.task.notify)
      two() {}
    }
    await expect(boot(Again)).rejects.toThrow(DuplicateTaskHandlerError);
  });

  it('refuses a request-scoped host', async () => {
    @Injectable({ scope: Scope.REQUEST })
    class PerRequest {
      @Task(Trip.task.notify)
      run() {}
    }
    await expect(boot(PerRequest)).rejects.toThrow(RequestScopedHostError);
  });

  it.each<[string, TaskOptions, RegExp]>([
    ['attempts 0', { attempts: 0 }, /'attempts' is 0; expected an integer >= 1/],
    ['a bad duration', { timeout: '2 seconds' as TaskOptions['timeout'] }, /'timeout' is "2 seconds"/],
    ['jitter above 1', { backoff: { jitter: 2 } }, /'backoff.jitter' is 2/],
  ])('refuses %s in the contract', async (_, options, message) => {
    const Bad = defineSaga('bad', { tasks: { only: task(options) } });
    @Saga(Bad)
    class BadSaga {
      @Step(1, ['only'])
      a() {
        return { only: null };
      }
    }
    await expect(boot(BadSaga)).rejects.toThrow(InvalidSagaOptionError);
    await expect(boot(BadSaga)).rejects.toThrow(message);
  });

  describe('step aggregators and the pivot', () => {
    const Relay = defineSaga('relay', {
      tasks: { first: task({ compensable: false }), left: task(), right: task(), last: task() },
    });

    @Injectable()
    class RelayTasks {
      @Task(Relay.task.first)
      first() {}
      @Task(Relay.task.left)
      left() {}
      @Compensate(Relay.task.left)
      undoLeft() {}
      @Task(Relay.task.right)
      right() {}
      @Compensate(Relay.task.right)
      undoRight() {}
      @Task(Relay.task.last)
      last() {}
      @Compensate(Relay.task.last)
      undoLast() {}
    }

    function relaySaga(pair: StepOptions, after: StepOptions = {}): Type {
      @Saga(Relay)
      class RelaySaga {
        @Step(1, ['first'])
        one() {
          return { first: null };
        }
        @Step(2, ['left', 'right'], pair)
        two() {
          return { left: null, right: null };
        }
        @Step(3, ['last'], after)
        three() {
          return { last: null };
        }
      }
      return RelaySaga;
    }

    it('puts the aggregator and the pivot of each step into the plan', async () => {
      const registry = await boot(relaySaga({ aggregator: quorum(1), pivot: true }), RelayTasks);
      const steps = registry.plan('relay')!.steps;
      expect(steps[1]).toMatchObject({ aggregator: { quorum: 1 }, pivot: true });
      expect(steps[0].aggregator).toBeUndefined();
      expect(steps[2].pivot).toBeUndefined();
    });

    it.each<[string, StepOptions, StepOptions, RegExp]>([
      [
        'a quorum of 0',
        { aggregator: quorum(0) },
        {},
        /'aggregator' is \{"quorum":0\}; expected a quorum\(k\) with k a whole number from 1 to 2/,
      ],
      ['a quorum above the tasks', { aggregator: quorum(3) }, {}, /from 1 to 2 \(the step's tasks\)/],
      [
        'an unknown aggregator',
        { aggregator: 'any' as never },
        {},
        /'aggregator' is "any"; expected one of all, failFast, bestEffort, quorum\(k\)/,
      ],
      [
        'two pivots',
        { pivot: true },
        { pivot: true },
        /RelaySaga.three: option 'pivot' is true; expected false: step 'two' is the flow's pivot already/,
      ],
      [
        'a compensating step after the pivot',
        { pivot: true },
        { onFailure: 'compensate' },
        /'onFailure' is "compensate"; expected 'stall': it comes after the pivot step 'two'/,
      ],
    ])('refuses %s', async (_, pair, after, message) => {
      await expect(boot(relaySaga(pair, after), RelayTasks)).rejects.toThrow(InvalidSagaOptionError);
      await expect(boot(relaySaga(pair, after), RelayTasks)).rejects.toThrow(message);
    });
  });
});
