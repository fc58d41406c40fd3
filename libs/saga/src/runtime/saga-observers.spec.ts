import { Test, type TestingModule } from '@nestjs/testing';
import { SagaCompensatedError } from '../errors/saga-outcome.error';
import { TaskRejectedError } from '../errors/task-rejected.error';
import { SAGA_STORE } from '../saga.constants';
import type { SagaStore } from '../store/saga-store.interface';
import { SagaTestingModule } from '../testing/saga-testing.module';
import { SagaClient } from './saga.client';
import { type SagaObserver, SagaObservers } from './saga-observers';
import { Parcel, PARCEL_PROVIDERS, parcelBehaviour, resetParcelBehaviour } from './testing/parcel.flow';

/** An observer that writes down what it is told, one line per fact, and every duration. */
function recorder(): { observer: SagaObserver; told: string[]; durations: number[] } {
  const told: string[] = [];
  const durations: number[] = [];
  const observer: SagaObserver = {
    sagaStarted: (flow) => told.push(`started ${flow}`),
    sagaEnded: (flow, status, ms) => (told.push(`ended ${flow} ${status}`), durations.push(ms)),
    sagaStalled: (flow, step) => told.push(`stalled ${flow}/${step}`),
    stepEnded: (flow, step, status, ms) => (told.push(`step ${flow}/${step} ${status}`), durations.push(ms)),
    taskAttemptEnded: ({ flow, step, task, kind }, outcome, ms) => {
      told.push(`${kind} ${flow}/${step}/${task} ${outcome}`);
      durations.push(ms);
    },
    callbackFailed: (flow) => told.push(`callback failed ${flow}`),
  };
  return { observer, told, durations };
}

/** Throws from every method it has. */
const throwing: SagaObserver = {
  sagaStarted: () => {
    throw new Error('observer broke');
  },
  sagaEnded: () => {
    throw new Error('observer broke');
  },
  stepEnded: () => {
    throw new Error('observer broke');
  },
  taskAttemptEnded: () => {
    throw new Error('observer broke');
  },
};

describe('SagaObservers, told by the runtime (memory transport and store)', () => {
  let moduleRef: TestingModule;
  let client: SagaClient;
  let observers: SagaObservers;

  beforeEach(async () => {
    resetParcelBehaviour();
    moduleRef = await Test.createTestingModule({
      imports: [SagaTestingModule.forRoot()],
      providers: PARCEL_PROVIDERS,
    }).compile();
    await moduleRef.init();
    client = moduleRef.get(SagaClient);
    observers = moduleRef.get(SagaObservers);
  });

  afterEach(() => moduleRef.close());

  it('tells each fact of a completed saga once, in the order it happened', async () => {
    const { observer, told, durations } = recorder();
    observers.add(observer);

    await client.run(Parcel, { parcel: 'p1' });

    expect(told).toEqual([
      'started parcel',
      'run parcel/packing/pack succeeded',
      'step parcel/packing succeeded',
      'run parcel/shipping/ship succeeded',
      'step parcel/shipping succeeded',
      'ended parcel completed',
    ]);
    expect(durations.every((ms) => Number.isFinite(ms) && ms >= 0)).toBe(true);
  });

  it('tells a refusal, the failed step, the compensation and the compensated end', async () => {
    const { observer, told } = recorder();
    observers.add(observer);
    parcelBehaviour.shipping = 'refuse';

    await expect(client.run(Parcel, { parcel: 'p2' })).rejects.toThrow(SagaCompensatedError);

    expect(told).toEqual([
      'started parcel',
      'run parcel/packing/pack succeeded',
      'step parcel/packing succeeded',
      'run parcel/shipping/ship rejected',
      'step parcel/shipping failed',
      'compensate parcel/packing/pack succeeded',
      'ended parcel compensated',
    ]);
  });

  it('keeps running the saga and telling the others when an observer throws', async () => {
    const { observer, told } = recorder();
    observers.add(throwing);
    observers.add(observer);

    const completed = await client.run(Parcel, { parcel: 'p3' });

    expect(completed.result).toEqual({ pack: { box: 'box-p3' }, ship: { van: 'v1' } });
    expect(told).toContain('ended parcel completed');
    expect(told).toHaveLength(6);
  });

  it('tells nothing for a commit that lost its compare-and-set: the transition is counted once', async () => {
    const { observer, told } = recorder();
    observers.add(observer);
    const store = moduleRef.get<SagaStore>(SAGA_STORE);
    // The first commit (packing's verdict) loses the race: the orchestrator reads the saga again and re-decides.
    const commit = jest.spyOn(store, 'commit').mockResolvedValueOnce(false);

    await client.run(Parcel, { parcel: 'p4' });

    expect(commit.mock.calls.length).toBeGreaterThan(2);
    expect(told.filter((line) => line === 'step parcel/packing succeeded')).toHaveLength(1);
    expect(told).toHaveLength(6);
  });
});

describe('SagaObservers.attempt', () => {
  afterEach(() => jest.restoreAllMocks());

  it("tells how long the handler ran and how it ended, and hands back the handler's value", async () => {
    const observers = new SagaObservers();
    const { observer, told, durations } = recorder();
    observers.add(observer);
    jest.spyOn(Date, 'now').mockReturnValueOnce(1_000).mockReturnValueOnce(1_250);
    const attempt = { flow: 'parcel', step: 'packing', task: 'pack', kind: 'run' } as const;

    await expect(observers.attempt(attempt, async () => 'boxed')).resolves.toBe('boxed');

    expect(told).toEqual(['run parcel/packing/pack succeeded']);
    expect(durations).toEqual([250]);
  });

  it("rethrows the handler's error, telling a refusal apart from a failure", async () => {
    const observers = new SagaObservers();
    const { observer, told } = recorder();
    observers.add(observer);
    const attempt = { flow: 'parcel', step: 'shipping', task: 'ship', kind: 'run' } as const;
    const refusal = new TaskRejectedError('no van today');
    const failure = new Error('van broke down');

    await expect(observers.attempt(attempt, () => Promise.reject(refusal))).rejects.toBe(refusal);
    await expect(observers.attempt(attempt, () => Promise.reject(failure))).rejects.toBe(failure);

    expect(told).toEqual(['run parcel/shipping/ship rejected', 'run parcel/shipping/ship failed']);
  });
});
