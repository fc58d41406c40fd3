import type { SagaCommand } from '../engine/saga-command';
import type { SagaState } from '../engine/saga-state';
import { MemorySagaStore } from '../store/memory-saga.store';
import { PublishedOutboxes } from './published-outboxes';

const FAR_FUTURE = Number.MAX_SAFE_INTEGER;

function saga(id: string, version: number): SagaState {
  const at = 0;
  return {
    id,
    flow: 'f',
    traceId: 't',
    status: 'running',
    input: null,
    step: 0,
    steps: [],
    createdAt: at,
    updatedAt: at,
    version,
  };
}

const run = (task: string): SagaCommand => ({ type: 'run-task', step: 's', task, attempt: 1, input: null });

describe('PublishedOutboxes', () => {
  let store: MemorySagaStore;
  let failures: string[];
  let outboxes: PublishedOutboxes;

  beforeEach(async () => {
    jest.useFakeTimers();
    store = new MemorySagaStore();
    failures = [];
    outboxes = new PublishedOutboxes(store, (sagaId, version) => failures.push(`${sagaId}@${version}`));
    await store.create(saga('a', 1), [run('x')]);
    await store.create(saga('b', 1), [run('y')]);
  });

  afterEach(() => jest.useRealTimers());

  const pending = async () =>
    (await store.pendingOutboxes(FAR_FUTURE, 10)).map((o) => `${o.sagaId}@${o.version}`).sort();

  it('hands the published versions of a saga to its next commit, once', async () => {
    outboxes.add('a', 1);
    const published = outboxes.take('a');
    expect(published).toEqual([1]);
    expect(outboxes.take('a')).toEqual([]);
    await store.commit(saga('a', 2), 1, [], { published });
    expect(await pending()).toEqual(['b@1']);
  });

  it('clears on its own what no commit took, within two periods, and keeps what was restored', async () => {
    outboxes.start();
    outboxes.add('a', 1);
    outboxes.add('b', 1);
    outboxes.restore('b', outboxes.take('b'));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(await pending()).toEqual(['a@1', 'b@1']);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(await pending()).toEqual([]);
    await outboxes.stop();
    expect(failures).toEqual([]);
  });

  it('clears everything still held when it stops', async () => {
    outboxes.start();
    outboxes.add('a', 1);
    await outboxes.stop();
    expect(await pending()).toEqual(['b@1']);
  });
});
