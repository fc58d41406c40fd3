import { MemorySagaStore } from '../store/memory-saga.store';
import { TaskBarrier } from './task.barrier';

describe('TaskBarrier', () => {
  let now: number;
  let barrier: TaskBarrier;

  beforeEach(() => {
    now = 1_000;
    barrier = new TaskBarrier(new MemorySagaStore(), 60_000, () => now);
  });

  it('lets a task run once and answers redeliveries with the stored output', async () => {
    expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'run' });
    expect(await barrier.taskDone('s', 'pay', { paymentId: 'p1' })).toBe(true);
    expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'done', output: { paymentId: 'p1' } });
  });

  it('keeps a second attempt out while the first one holds its lease, and lets it in after', async () => {
    await barrier.enterTask('s', 'pay', 5_000);
    expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'busy' });
    now += 5_001;
    expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'run' });
  });

  it('lets the next attempt in at once after a failed run', async () => {
    await barrier.enterTask('s', 'pay', 5_000);
    await barrier.taskAbandoned('s', 'pay');
    expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'run' });
  });

  it('records a compensation for a task that never ran (null compensation) and then refuses the task (hanging)', async () => {
    expect(await barrier.enterCompensation('s', 'pay')).toEqual({ kind: 'skip' });
    expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'refused' });
  });

  it('compensates a done task once, with its output', async () => {
    await barrier.enterTask('s', 'pay', 5_000);
    await barrier.taskDone('s', 'pay', 'p1');
    expect(await barrier.enterCompensation('s', 'pay')).toEqual({
      kind: 'compensate',
      outcome: 'succeeded',
      output: 'p1',
    });
    await barrier.compensationDone('s', 'pay');
    expect(await barrier.enterCompensation('s', 'pay')).toEqual({ kind: 'skip' });
    expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'refused' });
  });

  it('asks to wait while the task runs, and compensates with outcome unknown once the run is presumed dead', async () => {
    await barrier.enterTask('s', 'pay', 5_000);
    expect(await barrier.enterCompensation('s', 'pay')).toEqual({ kind: 'busy' });
    now += 6_000;
    expect(await barrier.enterCompensation('s', 'pay')).toEqual({ kind: 'compensate', outcome: 'unknown' });
  });

  it('skips the compensation of a task whose only run failed', async () => {
    await barrier.enterTask('s', 'pay', 5_000);
    await barrier.taskAbandoned('s', 'pay');
    expect(await barrier.enterCompensation('s', 'pay')).toEqual({ kind: 'skip' });
  });

  it('reports a run that finished after its compensation', async () => {
    await barrier.enterTask('s', 'pay', 5_000);
    now += 6_000;
    await barrier.enterCompensation('s', 'pay');
    await barrier.compensationDone('s', 'pay');
    expect(await barrier.taskDone('s', 'pay', 'late')).toBe(false);
  });

  it('lets exactly one of many concurrent attempts run', async () => {
    const entries = await Promise.all(Array.from({ length: 20 }, () => barrier.enterTask('s', 'pay', 5_000)));
    expect(entries.filter((e) => e.kind === 'run')).toHaveLength(1);
  });

  it('runs a first delivery to success in two writes and no read', async () => {
    const store = new MemorySagaStore();
    const lean = new TaskBarrier(store, 60_000, () => now);
    const reads = jest.spyOn(store, 'getDocument');
    const writes = jest.spyOn(store, 'putDocument');
    await lean.enterTask('s', 'pay', 5_000);
    await lean.taskDone('s', 'pay', 'p1');
    expect([reads.mock.calls.length, writes.mock.calls.length]).toEqual([0, 2]);
    expect(await lean.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'done', output: 'p1' });
  });

  it('keeps sagas and tasks apart', async () => {
    await barrier.enterTask('s1', 'pay', 5_000);
    await barrier.taskDone('s1', 'pay', 1);
    expect(await barrier.enterTask('s2', 'pay', 5_000)).toEqual({ kind: 'run' });
    expect(await barrier.enterTask('s1', 'ship', 5_000)).toEqual({ kind: 'run' });
  });
});
