import { Injectable, type Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Compensate, Saga, Step, Task } from '../decorators';
import { defineSaga, task } from '../definition/saga-contract';
import type { SagaState } from '../definition/saga-view';
import { SagaCompensatedError } from '../errors/saga-outcome.error';
import { UnhostedTaskError } from '../errors/task-hosting.error';
import type { CompensationContext } from '../interfaces/task-context.interface';
import { SagaClient } from '../runtime/saga.client';
import { SagaFaults } from './saga-faults';
import { SagaTester } from './saga-tester';
import { SagaTestingModule } from './saga-testing.module';

const Parcel = defineSaga('parcel', {
  tasks: {
    weigh: task<{ id: string }, { kg: number }>({ backoff: { delay: '5ms' } }),
    ship: task<{ kg: number }, { tracking: string }>({ backoff: { delay: '5ms' } }),
  },
});

/** What the handlers did: runs and undos, with the outcome each compensation was told. */
const effects: string[] = [];

@Saga(Parcel)
class ParcelSaga {
  @Step(1, ['weigh'])
  weighing(s: SagaState<typeof Parcel>) {
    return { weigh: s.input as { id: string } };
  }

  @Step(2, ['ship'])
  shipping(s: SagaState<typeof Parcel>) {
    return { ship: s.out('weigh') };
  }
}

@Injectable()
class ParcelTasks {
  @Task(Parcel.task.weigh)
  weigh() {
    effects.push('weigh');
    return { kg: 2 };
  }

  @Compensate(Parcel.task.weigh)
  unweigh(ctx: CompensationContext) {
    effects.push(`unweigh:${ctx.outcome}`);
  }

  @Task(Parcel.task.ship)
  ship(input: { kg: number }) {
    effects.push('ship');
    return { tracking: `T-${input.kg}` };
  }

  @Compensate(Parcel.task.ship)
  unship(ctx: CompensationContext) {
    effects.push(`unship:${ctx.outcome}`);
  }
}

async function boot(...providers: Type[]): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [SagaTestingModule.forRoot()],
    providers,
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe('SagaTestingModule', () => {
  let moduleRef: TestingModule;
  let client: SagaClient;
  let faults: SagaFaults;
  let tester: SagaTester;

  beforeAll(async () => {
    moduleRef = await boot(ParcelSaga, ParcelTasks);
    client = moduleRef.get(SagaClient);
    faults = moduleRef.get(SagaFaults);
    tester = moduleRef.get(SagaTester);
  });

  afterAll(() => moduleRef.close());

  beforeEach(() => {
    faults.clear();
    effects.length = 0;
  });

  it('runs a flow in one process, and awaits one started without waiting', async () => {
    const { sagaId } = await client.start(Parcel, { id: 'p1' });
    const status = await tester.settled(sagaId);
    expect(status.status).toBe('completed');
    expect(effects).toEqual(['weigh', 'ship']);
    expect(await tester.timeline(sagaId)).toEqual([
      'step-started weighing',
      'attempt-started weighing/weigh#1',
      'attempt-succeeded weighing/weigh#1',
      'step-completed weighing',
      'step-started shipping',
      'attempt-started shipping/ship#1',
      'attempt-succeeded shipping/ship#1',
      'step-completed shipping',
      'completed',
    ]);
  });

  it('reject(): the task fails for good without running, with its details, and the saga compensates', async () => {
    faults.fault(Parcel.task.ship).reject('no courier', { zone: 'north' });
    const error = await client.run(Parcel, { id: 'p2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SagaCompensatedError);
    expect((error as SagaCompensatedError).failure.error).toMatchObject({
      message: 'no courier',
      details: { zone: 'north' },
    });
    expect(effects).toEqual(['weigh', 'unweigh:succeeded']);
  });

  it('timeout({ times: 1 }): the attempt is answered as outrun, and the retry gets the stored output', async () => {
    faults.fault(Parcel.task.weigh).timeout({ times: 1 });
    const done = await client.run(Parcel, { id: 'p3' });
    expect(done.result.ship).toEqual({ tracking: 'T-2' });
    // The handler ran once: the retry found its output in the barrier.
    expect(effects).toEqual(['weigh', 'ship']);
    expect(await tester.timeline(done.sagaId)).toEqual(
      expect.arrayContaining(['attempt-failed weighing/weigh#1', 'attempt-succeeded weighing/weigh#2']),
    );
  });

  it('timeout() on every attempt: the task ends unknown, and its effect is undone', async () => {
    faults.fault(Parcel.task.ship).timeout();
    const error = (await client.run(Parcel, { id: 'p4' }).catch((e: unknown) => e)) as SagaCompensatedError;
    expect(error).toBeInstanceOf(SagaCompensatedError);
    const ship = (await tester.settled(error.sagaId)).steps[1].tasks[0];
    expect(ship).toMatchObject({ status: 'unknown', attempts: 3, compensation: { outcome: 'unknown' } });
    // The orchestrator could not know; the barrier, which saw the run finish, tells the compensation it did.
    expect(effects).toEqual(['weigh', 'ship', 'unship:succeeded', 'unweigh:succeeded']);
  });

  it('loseReply(): the task is delivered again and answered from the barrier, its handler run once', async () => {
    faults.fault(Parcel.task.weigh).loseReply();
    const done = await client.run(Parcel, { id: 'p5' });
    expect(done.status).toBe('completed');
    expect(effects).toEqual(['weigh', 'ship']);
  });

  it('duplicate(): two deliveries at once run the handler once', async () => {
    faults.fault(Parcel.task.ship).duplicate();
    await client.run(Parcel, { id: 'p6' });
    expect(effects).toEqual(['weigh', 'ship']);
  });

  it('fails the bootstrap when a task of the flow has no host here', async () => {
    await expect(boot(ParcelSaga)).rejects.toThrow(UnhostedTaskError);
  });

  describe('with overrideTaskOptions', () => {
    const Slow = defineSaga('slow', {
      tasks: { wait: task<null, null>({ attempts: 3, backoff: { delay: '1h' } }) },
    });

    @Saga(Slow)
    class SlowSaga {
      @Step(1, ['wait'])
      only() {
        return { wait: null };
      }
    }

    @Injectable()
    class SlowTasks {
      @Task(Slow.task.wait)
      wait() {
        return null;
      }
      @Compensate(Slow.task.wait)
      unwait() {}
    }

    it("replaces the contract's timings: retries an hour apart run at once", async () => {
      const fast = await Test.createTestingModule({
        imports: [SagaTestingModule.forRoot({ overrideTaskOptions: { backoff: { delay: '1ms' } } })],
        providers: [SlowSaga, SlowTasks],
      }).compile();
      await fast.init();
      try {
        fast.get(SagaFaults).fault(Slow.task.wait).timeout({ times: 2 });
        const done = await fast.get(SagaClient).run(Slow, null);
        const lines = await fast.get(SagaTester).timeline(done.sagaId);
        expect(lines.filter((line) => line.startsWith('attempt-failed'))).toHaveLength(2);
      } finally {
        await fast.close();
      }
    });

    it('refuses a bad timing, naming the option', async () => {
      const bad = Test.createTestingModule({
        imports: [SagaTestingModule.forRoot({ overrideTaskOptions: { attempts: 0 } })],
        providers: [SlowSaga, SlowTasks],
      }).compile();
      await expect(bad).rejects.toThrow(/overrideTaskOptions: option 'attempts' is 0/);
    });
  });
});
