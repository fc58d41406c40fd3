import { MemorySagaStore } from '../store/memory-saga.store';
import { type BarrierHold, type CompensationEntry, TaskBarrier, type TaskEntry } from './task.barrier';

function holdOf(entry: TaskEntry | CompensationEntry): BarrierHold {
  if (!('hold' in entry)) throw new Error(`no hold: ${entry.kind}`);
  return entry.hold;
}

describe('TaskBarrier', () => {
  let now: number;
  let barrier: TaskBarrier;
  const run = async (saga = 's', task = 'pay') => holdOf(await barrier.enterTask(saga, task, 5_000));

  beforeEach(() => {
    now = 1_000;
    barrier = new TaskBarrier(new MemorySagaStore(), 60_000, () => now);
  });

  it('lets a task run once and answers redeliveries with the stored output', async () => {
    expect(await barrier.taskDone(await run(), { paymentId: 'p1' })).toBe(true);
    expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'done', output: { paymentId: 'p1' } });
  });

  it('keeps a second delivery out while the first one holds its lease, and lets it in once it lapses', async () => {
    await run();
    expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'busy' });
    now += 5_001;
    expect((await barrier.enterTask('s', 'pay', 5_000)).kind).toBe('run');
  });

  it('keeps others out as long as the holder renews its lease', async () => {
    const hold = await run();
    for (let i = 0; i < 5; i++) {
      now += 4_000;
      expect(await barrier.renew(hold, 5_000)).toBe(true);
      expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'busy' });
    }
  });

  it('does not let a holder whose lease lapsed and was taken over renew it', async () => {
    const first = await run();
    now += 6_000;
    await run();
    expect(await barrier.renew(first, 5_000)).toBe(false);
  });

  it('records the first completion and keeps it when a later one of the same task finishes', async () => {
    const first = await run();
    now += 6_000;
    const second = await run();
    expect(await barrier.taskDone(first, 'late-but-first')).toBe(true);
    expect(await barrier.taskDone(second, 'second')).toBe(true);
    expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'done', output: 'late-but-first' });
  });

  it('never runs a repeated delivery of an attempt that failed without effect; the next attempt runs', async () => {
    const first = await barrier.enterTask('s', 'pay', 5_000, 1);
    await barrier.taskAbandoned(holdOf(first));
    expect(await barrier.enterTask('s', 'pay', 5_000, 1)).toEqual({ kind: 'failed' });
    expect((await barrier.enterTask('s', 'pay', 5_000, 2)).kind).toBe('run');
  });

  it('lets the next attempt in at once after a failed run', async () => {
    await barrier.taskAbandoned(await run());
    expect((await barrier.enterTask('s', 'pay', 5_000)).kind).toBe('run');
  });

  it('remembers a run whose output was unusable, and compensates it with outcome unknown', async () => {
    const error = { name: 'TaskOutputError', message: 'the output is not JSON' };
    expect(await barrier.taskUnusable(await run(), error)).toBe(true);
    expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'unusable', error });
    expect(await barrier.enterCompensation('s', 'pay', 5_000)).toMatchObject({
      kind: 'compensate',
      outcome: 'unknown',
    });
  });

  it('records a compensation for a task that never ran (null compensation) and then refuses the task (hanging)', async () => {
    expect(await barrier.enterCompensation('s', 'pay', 5_000)).toEqual({ kind: 'skip' });
    expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'refused' });
  });

  it('compensates a done task once, with its output, and refuses it afterwards', async () => {
    await barrier.taskDone(await run(), 'p1');
    const entry = await barrier.enterCompensation('s', 'pay', 5_000);
    expect(entry).toMatchObject({ kind: 'compensate', outcome: 'succeeded', output: 'p1' });
    await barrier.compensationDone(holdOf(entry));
    expect(await barrier.enterCompensation('s', 'pay', 5_000)).toEqual({ kind: 'skip' });
    expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'refused' });
  });

  it('runs one of two compensations delivered together: the second waits, then skips', async () => {
    await barrier.taskDone(await run(), 'p1');
    const first = await barrier.enterCompensation('s', 'pay', 5_000);
    expect(await barrier.enterCompensation('s', 'pay', 5_000)).toEqual({
      kind: 'busy',
      holder: 'compensation',
    });
    await barrier.compensationDone(holdOf(first));
    expect(await barrier.enterCompensation('s', 'pay', 5_000)).toEqual({ kind: 'skip' });
  });

  it('lets the next compensation claim the task at once after a failed one, with the same outcome', async () => {
    await barrier.taskDone(await run(), 'p1');
    await barrier.compensationAbandoned(holdOf(await barrier.enterCompensation('s', 'pay', 5_000)));
    expect(await barrier.enterCompensation('s', 'pay', 5_000)).toMatchObject({
      kind: 'compensate',
      outcome: 'succeeded',
      output: 'p1',
    });
  });

  it('makes a compensation wait while a run holds the task, and compensates with outcome unknown once it lapses', async () => {
    await run();
    expect(await barrier.enterCompensation('s', 'pay', 5_000)).toEqual({ kind: 'busy', holder: 'run' });
    now += 6_000;
    expect(await barrier.enterCompensation('s', 'pay', 5_000)).toMatchObject({
      kind: 'compensate',
      outcome: 'unknown',
    });
  });

  it('lets a compensation that waited long enough claim a task that a live run holds; the run must then undo', async () => {
    const hold = await run();
    expect(await barrier.enterCompensation('s', 'pay', 5_000, true)).toMatchObject({
      kind: 'compensate',
      outcome: 'unknown',
    });
    expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'refused' });
    expect(await barrier.renew(hold, 5_000)).toBe(false);
    expect(await barrier.taskDone(hold, 'late')).toBe(false);
  });

  it('skips the compensation of a task whose only run failed', async () => {
    await barrier.taskAbandoned(await run());
    expect(await barrier.enterCompensation('s', 'pay', 5_000)).toEqual({ kind: 'skip' });
  });

  it('tells a run that finished after its compensation that its effect must be undone', async () => {
    const hold = await run();
    now += 6_000;
    await barrier.compensationDone(holdOf(await barrier.enterCompensation('s', 'pay', 5_000)));
    expect(await barrier.taskDone(hold, 'late')).toBe(false);
  });

  describe('a run that finished after its compensation (a late effect)', () => {
    /** A run that a compensation claimed by force, then finished with `output`. */
    const lateRun = async (output = 'late') => {
      const hold = await run();
      const compensation = holdOf(await barrier.enterCompensation('s', 'pay', 5_000, true));
      expect(await barrier.taskDone(hold, output)).toBe(false);
      return compensation;
    };

    it('keeps the effect until a compensation handler ran on it, and hands it to the next run delivery', async () => {
      await barrier.compensationDone(await lateRun());
      const undo = await barrier.enterTask('s', 'pay', 5_000);
      expect(undo).toMatchObject({ kind: 'undo', outcome: 'succeeded', output: 'late' });
      await barrier.compensationDone(holdOf(undo));
      expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'refused' });
      expect(await barrier.enterCompensation('s', 'pay', 5_000)).toEqual({ kind: 'skip' });
    });

    it('waits for the compensation that holds the task, whose end does not clear the late effect', async () => {
      const compensation = await lateRun();
      expect(await barrier.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'busy' });
      await barrier.compensationDone(compensation);
      expect(await barrier.enterTask('s', 'pay', 5_000)).toMatchObject({ kind: 'undo', output: 'late' });
    });

    it('lets a later compensation delivery undo it instead of skipping', async () => {
      await barrier.compensationDone(await lateRun());
      expect(await barrier.enterCompensation('s', 'pay', 5_000)).toMatchObject({
        kind: 'compensate',
        outcome: 'succeeded',
        output: 'late',
      });
    });

    it('keeps it after a failed undo, for the next try', async () => {
      await barrier.compensationDone(await lateRun());
      const undo = await barrier.enterTask('s', 'pay', 5_000);
      await barrier.compensationAbandoned(holdOf(undo));
      expect(await barrier.enterTask('s', 'pay', 5_000)).toMatchObject({ kind: 'undo', output: 'late' });
    });

    it('tells the undo that the outcome is unknown when the late output was unusable', async () => {
      const hold = await run();
      await barrier.compensationDone(holdOf(await barrier.enterCompensation('s', 'pay', 5_000, true)));
      expect(await barrier.taskUnusable(hold, { name: 'TypeError', message: 'BigInt' })).toBe(false);
      const undo = await barrier.enterTask('s', 'pay', 5_000);
      expect(undo).toMatchObject({ kind: 'undo', outcome: 'unknown' });
      expect(undo).not.toHaveProperty('output');
    });
  });

  it('lets exactly one of many concurrent deliveries run', async () => {
    const entries = await Promise.all(Array.from({ length: 20 }, () => barrier.enterTask('s', 'pay', 5_000)));
    expect(entries.filter((e) => e.kind === 'run')).toHaveLength(1);
  });

  it('runs a first delivery to success in two writes and no read', async () => {
    const store = new MemorySagaStore();
    const lean = new TaskBarrier(store, 60_000, () => now);
    const reads = jest.spyOn(store, 'getDocument');
    const writes = jest.spyOn(store, 'putDocument');
    await lean.taskDone(holdOf(await lean.enterTask('s', 'pay', 5_000)), 'p1');
    expect([reads.mock.calls.length, writes.mock.calls.length]).toEqual([0, 2]);
    expect(await lean.enterTask('s', 'pay', 5_000)).toEqual({ kind: 'done', output: 'p1' });
  });

  it('keeps sagas and tasks apart', async () => {
    await barrier.taskDone(await run('s1', 'pay'), 1);
    expect((await barrier.enterTask('s2', 'pay', 5_000)).kind).toBe('run');
    expect((await barrier.enterTask('s1', 'ship', 5_000)).kind).toBe('run');
  });
});
