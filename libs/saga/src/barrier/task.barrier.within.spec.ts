import type { Json } from '../engine/saga-state';
import { BarrierHoldLostError } from '../errors/barrier-hold-lost.error';
import { TaskCompensatedError } from '../errors/task-compensated.error';
import type { VersionedDocument } from '../store/saga-store.interface';
import type { BarrierStore } from './barrier-store.interface';
import { type BarrierHold, TaskBarrier } from './task.barrier';

/**
 * A participant's own database, small but honest about transactions: writes are staged and applied at
 * commit only if every document they read is still at the version they read (a serialization failure
 * otherwise), and dropped when the work throws. It holds the barrier's table and a business table.
 */
class ParticipantDb implements BarrierStore {
  readonly documents = new Map<string, VersionedDocument>();
  readonly payments = new Map<string, number>();

  async getDocument(key: string): Promise<VersionedDocument | undefined> {
    return this.documents.get(key);
  }

  async putDocument(key: string, value: Json, expectedVersion: number): Promise<boolean> {
    return this.transaction(async (tx) => tx.putDocument(key, value, expectedVersion));
  }

  async transaction<T>(work: (tx: ParticipantTx) => Promise<T>): Promise<T> {
    const tx = new ParticipantTx(this);
    const result = await work(tx);
    tx.commit();
    return result;
  }
}

class ParticipantTx implements BarrierStore {
  private readonly documents = new Map<string, { expected: number; value: Json }>();
  private readonly payments = new Map<string, number>();

  constructor(private readonly db: ParticipantDb) {}

  async getDocument(key: string): Promise<VersionedDocument | undefined> {
    const staged = this.documents.get(key);
    return staged ? { value: staged.value, version: staged.expected + 1 } : this.db.documents.get(key);
  }

  async putDocument(key: string, value: Json, expectedVersion: number): Promise<boolean> {
    if (((await this.getDocument(key))?.version ?? 0) !== expectedVersion) return false;
    this.documents.set(key, { expected: expectedVersion, value });
    return true;
  }

  pay(orderId: string, amount: number): void {
    this.payments.set(orderId, amount);
  }

  commit(): void {
    for (const [key, { expected }] of this.documents) {
      if ((this.db.documents.get(key)?.version ?? 0) !== expected)
        throw new Error(`serialization failure on ${key}`);
    }
    for (const [key, { expected, value }] of this.documents)
      this.db.documents.set(key, { value, version: expected + 1 });
    for (const [orderId, amount] of this.payments) this.db.payments.set(orderId, amount);
  }
}

describe("TaskBarrier inside the participant's own transaction", () => {
  let now: number;
  let db: ParticipantDb;
  let barrier: TaskBarrier;

  beforeEach(() => {
    now = 1_000;
    db = new ParticipantDb();
    barrier = new TaskBarrier(db, 60_000, () => now);
  });

  async function run(): Promise<BarrierHold> {
    const entry = await barrier.enterTask('s', 'charge', 5_000);
    if (entry.kind !== 'run') throw new Error(`expected to run, got ${entry.kind}`);
    return entry.hold;
  }

  /** The handler: the business write and the barrier record in one transaction. */
  function charge(hold: BarrierHold): Promise<void> {
    return db.transaction(async (tx) => {
      tx.pay('o1', 42);
      await barrier.taskDoneWithin(hold, tx, { paymentId: 'p1' });
    });
  }

  it('applies the effect once even when the worker dies between the commit and its own record', async () => {
    await charge(await run());
    // The worker died here, before it replied; the command comes again once the hold has lapsed.
    now += 6_000;
    expect(await barrier.enterTask('s', 'charge', 5_000)).toEqual({
      kind: 'done',
      output: { paymentId: 'p1' },
    });
    expect([...db.payments]).toEqual([['o1', 42]]);
  });

  it('runs again after such a death when the record is written outside the transaction: why atomic matters', async () => {
    await run();
    await db.transaction(async (tx) => tx.pay('o1', 42));
    now += 6_000;
    expect((await barrier.enterTask('s', 'charge', 5_000)).kind).toBe('run');
  });

  it('rolls the effect back when a compensation claimed the task first', async () => {
    const hold = await run();
    const claim = await barrier.enterCompensation('s', 'charge', 5_000, true);
    expect(claim).toMatchObject({ kind: 'compensate', outcome: 'unknown' });
    await expect(charge(hold)).rejects.toBeInstanceOf(TaskCompensatedError);
    expect(db.payments.size).toBe(0);
  });

  it('rolls the effect back when the hold lapsed and another delivery took the task over', async () => {
    const first = await run();
    now += 6_000;
    await run();
    await expect(charge(first)).rejects.toBeInstanceOf(BarrierHoldLostError);
    expect(db.payments.size).toBe(0);
  });

  it("records the worker's own completion after the transaction without writing again", async () => {
    const hold = await run();
    await charge(hold);
    const put = jest.spyOn(db, 'putDocument');
    expect(await barrier.taskDone(hold, { paymentId: 'p1' })).toBe(true);
    expect(put).not.toHaveBeenCalled();
  });

  it('records a compensation inside the transaction of the undo', async () => {
    await charge(await run());
    const entry = await barrier.enterCompensation('s', 'charge', 5_000);
    if (entry.kind !== 'compensate') throw new Error(`expected to compensate, got ${entry.kind}`);
    await db.transaction(async (tx) => {
      tx.pay('o1', 0);
      await barrier.compensationDoneWithin(entry.hold, tx);
    });
    expect(await barrier.enterCompensation('s', 'charge', 5_000)).toEqual({ kind: 'skip' });
    expect(db.payments.get('o1')).toBe(0);
  });
});
