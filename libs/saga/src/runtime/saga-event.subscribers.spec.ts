import { Injectable, type Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Compensate, OnSagaEvent, Saga, Step, Task } from '../decorators';
import { defineSaga, task } from '../definition/saga-contract';
import { InvalidSagaOptionError } from '../errors/saga-definition.error';
import { SagaFaults } from '../testing/saga-faults';
import { SagaTestingModule } from '../testing/saga-testing.module';
import type { LifecycleEvent } from '../transport/saga-messages';
import { SagaClient } from './saga.client';

const Ledger = defineSaga('ledger', {
  events: ['rollback', 'completed', 'compensated'],
  tasks: { debit: task<null, null>(), credit: task<null, null>({ attempts: 1 }) },
});

@Saga(Ledger)
class LedgerSaga {
  @Step(1, ['debit'])
  one() {
    return { debit: null };
  }
  @Step(2, ['credit'])
  two() {
    return { credit: null };
  }
}

@Injectable()
class LedgerTasks {
  @Task(Ledger.task.debit)
  debit() {
    return null;
  }
  @Compensate(Ledger.task.debit)
  undebit() {}
  @Task(Ledger.task.credit)
  credit() {
    return null;
  }
  @Compensate(Ledger.task.credit)
  uncredit() {}
}

/** What the subscribers saw, as `<subscriber>:<type>:<sagaId>`. */
const seen: string[] = [];
const failNext = { audit: 0 };

@Injectable()
class LedgerWatchers {
  @OnSagaEvent(Ledger, 'rollback')
  rolledBack(event: LifecycleEvent) {
    seen.push(`mailer:${event.type}:${event.sagaId}:${event.step}/${event.task}`);
  }

  @OnSagaEvent('ledger.*', { subscriber: 'audit' })
  audit(event: LifecycleEvent) {
    if (failNext.audit-- > 0) throw new Error('audit log unavailable');
    seen.push(`audit:${event.type}:${event.sagaId}`);
  }
}

async function boot(...providers: Type[]): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [SagaTestingModule.forRoot()],
    providers: [LedgerSaga, LedgerTasks, ...providers],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

/** Until `check` passes: events are delivered after the caller got its answer. */
async function eventually(check: () => void): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      return check();
    } catch (error) {
      if (tries > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

describe('@OnSagaEvent', () => {
  let moduleRef: TestingModule;
  let client: SagaClient;

  beforeAll(async () => {
    moduleRef = await boot(LedgerWatchers);
    client = moduleRef.get(SagaClient);
  });

  afterAll(() => moduleRef.close());

  beforeEach(() => {
    seen.length = 0;
    moduleRef.get(SagaFaults).clear();
  });

  it('delivers each subscriber the events of its patterns', async () => {
    const done = await client.run(Ledger, {});
    moduleRef.get(SagaFaults).fault(Ledger.task.credit).reject('account closed');
    const rolledBack = await client.start(Ledger, {});
    await eventually(() =>
      expect([...seen].sort()).toEqual(
        [
          `audit:completed:${done.sagaId}`,
          `audit:rollback:${rolledBack.sagaId}`,
          `audit:compensated:${rolledBack.sagaId}`,
          `mailer:rollback:${rolledBack.sagaId}:two/credit`,
        ].sort(),
      ),
    );
  });

  it('delivers again an event whose handler threw', async () => {
    failNext.audit = 1;
    const done = await client.run(Ledger, {});
    await eventually(() => expect(seen).toEqual([`audit:completed:${done.sagaId}`]));
  });

  it.each<[string, Type, RegExp]>([
    [
      'an event the flow does not publish',
      (() => {
        @Injectable()
        class Late {
          @OnSagaEvent(Ledger, 'stalled')
          stalled() {}
        }
        return Late;
      })(),
      /Late.stalled: @OnSagaEvent\('ledger.stalled'\) would never be called: flow 'ledger' publishes no 'stalled' event/,
    ],
    [
      'a pattern that is not <flow>.<event>',
      (() => {
        @Injectable()
        class Vague {
          @OnSagaEvent('ledger')
          any() {}
        }
        return Vague;
      })(),
      /Vague.any: option 'pattern' is "ledger"; expected '<flow>.<event>'/,
    ],
  ])('fails the bootstrap for %s', async (_, watcher, message) => {
    await expect(boot(watcher)).rejects.toThrow(InvalidSagaOptionError);
    await expect(boot(watcher)).rejects.toThrow(message);
  });
});
