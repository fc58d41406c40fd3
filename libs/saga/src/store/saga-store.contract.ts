/// <reference types="jest" />
import type { SagaCommand } from '../engine/saga-command';
import type { SagaTimer } from '../engine/saga-event';
import type { SagaState } from '../engine/saga-state';
import type { CounterAdjustment } from './saga-counters.interface';
import type { SagaListPage, SagaSummary } from './saga-list.interface';
import type { SagaStore } from './saga-store.interface';

/** One store under test, fresh for every test. */
export interface SagaStoreFixture {
  store: SagaStore;
  /** The retention the store was built with (ms). */
  retentionMs: number;
  /**
   * Lets `ms` pass for everything that expires (retention, document time to live): a manual clock moves,
   * or a real store's remaining times to live are shortened.
   */
  elapse(ms: number): Promise<void>;
  /** Deletes what the test stored and releases the store. */
  dispose(): Promise<void>;
}

/**
 * The behaviour every {@link SagaStore} shares, as one list of tests. A store implementation passes it from
 * its own spec file:
 *
 * @example
 * describeSagaStoreContract('MemorySagaStore', async () => ({ store: new MemorySagaStore(), ... }));
 */
export function describeSagaStoreContract(name: string, factory: () => Promise<SagaStoreFixture>): void {
  describe(`${name} (SagaStore contract)`, () => {
    let fixture: SagaStoreFixture;
    let store: SagaStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(() => fixture.dispose());

    const FAR_FUTURE = Date.now() + 3_600_000;

    describe('create', () => {
      it('stores a new saga, which load returns', async () => {
        const state = sagaState('s1');
        await expect(store.create(state, [])).resolves.toEqual({ created: true, state });
        await expect(store.load('s1')).resolves.toEqual(state);
      });

      it('returns the stored saga untouched when the saga exists', async () => {
        await store.create(sagaState('s1', { input: 'first' }), []);
        const again = await store.create(sagaState('s1', { input: 'second', traceId: 'other' }), [
          runTask('b'),
        ]);
        expect(again).toEqual({ created: false, state: sagaState('s1', { input: 'first' }) });
        await expect(store.load('s1')).resolves.toMatchObject({ input: 'first', traceId: 'trace-s1' });
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([]);
      });

      it('stores the commands to publish as the outbox and schedules the timers', async () => {
        const timer = sagaTimer(5_000);
        await store.create(sagaState('s1'), [runTask('a'), { type: 'schedule', timer }]);
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([
          { sagaId: 's1', version: 1, commands: [runTask('a')] },
        ]);
        await expect(store.claimDueTimers(5_000, 1_000, 10)).resolves.toEqual([{ sagaId: 's1', timer }]);
      });

      it('stores nothing again on a repeated create', async () => {
        const commands: SagaCommand[] = [runTask('a'), { type: 'schedule', timer: sagaTimer(5_000) }];
        await store.create(sagaState('s1'), commands);
        await store.clearOutbox('s1', 1);
        const [due] = await store.claimDueTimers(5_000, 1_000, 10);
        await store.completeTimer(due);

        await store.create(sagaState('s1'), commands);
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([]);
        await expect(store.claimDueTimers(FAR_FUTURE, 1_000, 10)).resolves.toEqual([]);
      });

      it('stores no outbox when the only commands are timers', async () => {
        await store.create(sagaState('s1'), [{ type: 'schedule', timer: sagaTimer(5_000) }]);
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([]);
        await expect(store.claimDueTimers(5_000, 1_000, 10)).resolves.toHaveLength(1);
      });

      it('load returns undefined for an unknown saga', async () => {
        await store.create(sagaState('s1'), []);
        await expect(store.load('s2')).resolves.toBeUndefined();
      });
    });

    describe('commit', () => {
      it('replaces the saga when the stored version is the expected one', async () => {
        await store.create(sagaState('s1'), []);
        const next = sagaState('s1', { version: 2, step: 1, updatedAt: 2_000 });
        await expect(store.commit(next, 1, [])).resolves.toBe(true);
        await expect(store.load('s1')).resolves.toEqual(next);
      });

      it('refuses a stale version and keeps the saga and outbox of the winner', async () => {
        await store.create(sagaState('s1'), []);
        await expect(
          store.commit(sagaState('s1', { version: 2, input: 'winner' }), 1, [runTask('a')]),
        ).resolves.toBe(true);
        await expect(
          store.commit(sagaState('s1', { version: 2, input: 'loser' }), 1, [runTask('b')]),
        ).resolves.toBe(false);
        await expect(store.load('s1')).resolves.toMatchObject({ version: 2, input: 'winner' });
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([
          { sagaId: 's1', version: 2, commands: [runTask('a')] },
        ]);
      });

      it('refuses an unknown saga and does not create it', async () => {
        await expect(store.commit(sagaState('s1', { version: 2 }), 1, [runTask('a')])).resolves.toBe(false);
        await expect(store.load('s1')).resolves.toBeUndefined();
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([]);
      });

      it('lets exactly one of concurrent commits on one version win', async () => {
        await store.create(sagaState('s1'), []);
        const contenders = Array.from({ length: 10 }, (_, i) =>
          sagaState('s1', { version: 2, input: `c${i}` }),
        );
        const results = await Promise.all(
          contenders.map((next, i) => store.commit(next, 1, [runTask(`t${i}`)])),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        await expect(store.load('s1')).resolves.toEqual(contenders[winner]);
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([
          { sagaId: 's1', version: 2, commands: [runTask(`t${winner}`)] },
        ]);
      });

      it('stores its commands as the outbox of the new version, beside the unpublished older one', async () => {
        await store.create(sagaState('s1'), [runTask('a')]);
        await pause(3);
        await store.commit(sagaState('s1', { version: 2 }), 1, [
          runTask('b'),
          { type: 'schedule', timer: sagaTimer(9) },
        ]);
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([
          { sagaId: 's1', version: 1, commands: [runTask('a')] },
          { sagaId: 's1', version: 2, commands: [runTask('b')] },
        ]);
      });

      it('adds no outbox when it has nothing to publish, keeps the older one, and schedules its timers', async () => {
        await store.create(sagaState('s1'), [runTask('a')]);
        const timer = sagaTimer(5_000);
        await store.commit(sagaState('s1', { version: 2 }), 1, [{ type: 'schedule', timer }]);
        await store.commit(sagaState('s1', { version: 3 }), 2, []);
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([
          { sagaId: 's1', version: 1, commands: [runTask('a')] },
        ]);
        await expect(store.claimDueTimers(5_000, 1_000, 10)).resolves.toEqual([{ sagaId: 's1', timer }]);
      });

      it('never drops an unpublished outbox of an earlier version, whatever later commits store', async () => {
        await store.create(sagaState('s1'), [runTask('a')]);
        await store.commit(sagaState('s1', { version: 2 }), 1, [runTask('b')]);
        // A repeated start subscribing a caller commits without commands.
        await store.commit(sagaState('s1', { version: 3 }), 2, []);
        await store.commit(sagaState('s1', { version: 4 }), 3, [runTask('c')]);
        await store.clearOutbox('s1', 4);
        const pending = await store.pendingOutboxes(FAR_FUTURE, 10);
        expect(pending.map((outbox) => outbox.version).sort()).toEqual([1, 2]);
        expect(pending.find((outbox) => outbox.version === 1)?.commands).toEqual([runTask('a')]);
        expect(pending.find((outbox) => outbox.version === 2)?.commands).toEqual([runTask('b')]);
      });
    });

    it('a commit told the previous saga stores the same saga as a whole write, step after step', async () => {
      const timeline = [{ at: 1_000, event: 'step-started' as const, step: 'order' }];
      const v1 = sagaState('s1', { timeline });
      await store.create(v1, []);
      const task = v1.steps[0].tasks[0];
      const v2: SagaState = {
        ...v1,
        version: 2,
        updatedAt: 2_000,
        steps: [{ ...v1.steps[0], tasks: [{ ...task, status: 'succeeded', output: { orderId: 'o1' } }] }],
        timeline: [
          ...timeline,
          { at: 2_000, event: 'attempt-succeeded' as const, step: 'order', task: task.name },
        ],
      };
      await expect(store.commit(v2, 1, [], { previous: v1 })).resolves.toBe(true);
      await expect(store.load('s1')).resolves.toEqual(v2);
      const v3: SagaState = { ...v2, version: 3, status: 'completed', replyTo: ['caller'] };
      await expect(store.commit(v3, 2, [], { previous: v2 })).resolves.toBe(true);
      await expect(store.load('s1')).resolves.toEqual(v3);
      // A previous of another version than the expected one is not trusted: the saga is written whole.
      const v4: SagaState = { ...v3, version: 4, input: { productId: 'p2', quantity: 1 } };
      await expect(store.commit(v4, 3, [], { previous: v1 })).resolves.toBe(true);
      await expect(store.load('s1')).resolves.toEqual(v4);
    });

    describe('outbox', () => {
      it('commit drops the outboxes of the versions it names as published, also when it loses the race', async () => {
        await store.create(sagaState('s1'), [runTask('a')]);
        await store.commit(sagaState('s1', { version: 2 }), 1, [runTask('b')]);
        await store.commit(sagaState('s1', { version: 3 }), 2, [runTask('c')], { published: [1] });
        expect((await store.pendingOutboxes(FAR_FUTURE, 10)).map((o) => o.version).sort()).toEqual([2, 3]);
        // A lost race (version 3 is stored, not 1) still drops version 2; version 3 stays.
        await expect(store.commit(sagaState('s1', { version: 2 }), 1, [], { published: [2] })).resolves.toBe(
          false,
        );
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([
          { sagaId: 's1', version: 3, commands: [runTask('c')] },
        ]);
        await expect(store.load('s1')).resolves.toMatchObject({ version: 3 });
      });

      it('tells when the oldest pending outbox was stored, and nothing once every outbox is cleared', async () => {
        await expect(store.oldestOutboxAt()).resolves.toBeUndefined();
        const before = await store.time();
        await store.create(sagaState('s1'), [runTask('a')]);
        await store.create(sagaState('s2'), [runTask('b')]);
        const oldest = await store.oldestOutboxAt();
        expect(oldest).toBeGreaterThanOrEqual(before);
        expect(oldest).toBeLessThanOrEqual(await store.time());
        await store.clearOutbox('s1', 1);
        await store.clearOutbox('s2', 1);
        await expect(store.oldestOutboxAt()).resolves.toBeUndefined();
      });

      it('clearOutbox drops the outbox of its version, and is safe to repeat', async () => {
        await store.create(sagaState('s1'), [runTask('a')]);
        await store.clearOutbox('s1', 1);
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([]);
        await expect(store.clearOutbox('s1', 1)).resolves.toBeUndefined();
        await expect(store.clearOutbox('unknown', 1)).resolves.toBeUndefined();
      });

      it('clearOutbox of an older version keeps the newer outbox', async () => {
        await store.create(sagaState('s1'), [runTask('a')]);
        await store.commit(sagaState('s1', { version: 2 }), 1, [runTask('b')]);
        await store.clearOutbox('s1', 1);
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([
          { sagaId: 's1', version: 2, commands: [runTask('b')] },
        ]);
      });

      it('clearOutbox of a newer version keeps the older outbox, and of a version never stored keeps both', async () => {
        await store.create(sagaState('s1'), [runTask('a')]);
        await store.commit(sagaState('s1', { version: 2 }), 1, [runTask('b')]);
        await store.commit(sagaState('s1', { version: 3 }), 2, [runTask('c')]);
        await store.clearOutbox('s1', 2);
        await store.clearOutbox('s1', 7);
        const pending = await store.pendingOutboxes(FAR_FUTURE, 10);
        expect(pending.map((outbox) => outbox.version).sort()).toEqual([1, 3]);
        await store.clearOutbox('s1', 1);
        await store.clearOutbox('s1', 3);
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([]);
      });

      it('pendingOutboxes counts each pending version against `limit`, oldest first', async () => {
        await store.create(sagaState('s1'), [runTask('a')]);
        await pause(3);
        await store.commit(sagaState('s1', { version: 2 }), 1, [runTask('b')]);
        await pause(3);
        await store.create(sagaState('s2'), [runTask('c')]);
        const firstTwo = await store.pendingOutboxes(FAR_FUTURE, 2);
        expect(firstTwo.map(({ sagaId, version }) => [sagaId, version])).toEqual([
          ['s1', 1],
          ['s1', 2],
        ]);
      });

      it('pendingOutboxes returns outboxes stored before `before`, oldest first, at most `limit`', async () => {
        const storedFrom = Date.now();
        // Ids in reverse alphabetical order, a few ms apart: the order must come from the time stored.
        for (const id of ['s3', 's2', 's1']) {
          await store.create(sagaState(id), [runTask(id)]);
          await pause(3);
        }
        await expect(store.pendingOutboxes(storedFrom - 60_000, 10)).resolves.toEqual([]);
        const firstTwo = await store.pendingOutboxes(FAR_FUTURE, 2);
        expect(firstTwo.map((outbox) => outbox.sagaId)).toEqual(['s3', 's2']);
        const all = await store.pendingOutboxes(FAR_FUTURE, 10);
        expect(all.map((outbox) => outbox.sagaId)).toEqual(['s3', 's2', 's1']);
        await expect(store.pendingOutboxes(FAR_FUTURE, 0)).resolves.toEqual([]);
      });
    });

    describe('timers', () => {
      it('claimDueTimers returns only timers that are due', async () => {
        const early = sagaTimer(1_000);
        const late = sagaTimer(2_000, { task: 'charge-payment' });
        await store.create(sagaState('s1'), [
          { type: 'schedule', timer: early },
          { type: 'schedule', timer: late },
        ]);
        await expect(store.claimDueTimers(999, 10_000, 10)).resolves.toEqual([]);
        await expect(store.claimDueTimers(1_000, 10_000, 10)).resolves.toEqual([
          { sagaId: 's1', timer: early },
        ]);
      });

      it('hides a claimed timer for the lease, then returns it again', async () => {
        const timer = sagaTimer(1_000);
        await store.create(sagaState('s1'), [{ type: 'schedule', timer }]);
        await expect(store.claimDueTimers(1_000, 500, 10)).resolves.toHaveLength(1);
        await expect(store.claimDueTimers(1_499, 500, 10)).resolves.toEqual([]);
        await expect(store.claimDueTimers(1_500, 500, 10)).resolves.toEqual([{ sagaId: 's1', timer }]);
      });

      it('completeTimer removes a timer for good', async () => {
        await store.create(sagaState('s1'), [{ type: 'schedule', timer: sagaTimer(1_000) }]);
        const [due] = await store.claimDueTimers(1_000, 500, 10);
        await store.completeTimer(due);
        await expect(store.claimDueTimers(FAR_FUTURE, 500, 10)).resolves.toEqual([]);
      });

      it('keeps one timer when the same timer is scheduled twice', async () => {
        const timer = sagaTimer(1_000);
        await store.create(sagaState('s1'), [
          { type: 'schedule', timer },
          { type: 'schedule', timer: { ...timer } },
        ]);
        await store.commit(sagaState('s1', { version: 2 }), 1, [
          {
            type: 'schedule',
            timer: { dueAt: 1_000, attempt: 1, task: 'create-order', kind: 'task-retry' },
          },
          { type: 'schedule', timer: sagaTimer(1_000, { attempt: 2 }) },
        ]);
        const due = await store.claimDueTimers(1_000, 500, 10);
        expect(due.map((d) => d.timer.attempt).sort()).toEqual([1, 2]);
      });

      it('keeps timers of different sagas apart', async () => {
        await store.create(sagaState('s1'), [{ type: 'schedule', timer: sagaTimer(1_000) }]);
        await store.create(sagaState('s2'), [{ type: 'schedule', timer: sagaTimer(1_000) }]);
        const [first, second] = await store.claimDueTimers(1_000, 500, 10);
        await store.completeTimer(first);
        await expect(store.claimDueTimers(FAR_FUTURE, 500, 10)).resolves.toEqual([second]);
        expect([first.sagaId, second.sagaId].sort()).toEqual(['s1', 's2']);
      });

      it('claims at most `limit` timers, earliest first', async () => {
        await store.create(
          sagaState('s1'),
          [3_000, 1_000, 2_000].map((dueAt) => schedule(sagaTimer(dueAt))),
        );
        const firstTwo = await store.claimDueTimers(5_000, 1_000, 2);
        expect(firstTwo.map((d) => d.timer.dueAt)).toEqual([1_000, 2_000]);
        const rest = await store.claimDueTimers(5_000, 1_000, 2);
        expect(rest.map((d) => d.timer.dueAt)).toEqual([3_000]);
        await expect(store.claimDueTimers(5_000, 1_000, 0)).resolves.toEqual([]);
      });
    });

    describe('retention', () => {
      it('forgets a terminal saga and its outbox after the retention', async () => {
        await store.create(sagaState('s1'), []);
        const done = sagaState('s1', { version: 2, status: 'completed' });
        await store.commit(done, 1, [{ type: 'finish', status: 'completed', result: { ok: true } }]);

        await fixture.elapse(fixture.retentionMs - 2_000);
        await expect(store.load('s1')).resolves.toEqual(done);
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toHaveLength(1);

        await fixture.elapse(2_500);
        await expect(store.load('s1')).resolves.toBeUndefined();
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([]);
      });

      it('keeps a stalled saga and its outboxes after the retention: it waits for an operator', async () => {
        await store.create(sagaState('s1'), [runTask('a')]);
        const failed = sagaState('s1', { version: 2, status: 'stalled' });
        await store.commit(failed, 1, [{ type: 'finish', status: 'stalled' }]);
        await fixture.elapse(fixture.retentionMs * 2);
        await expect(store.load('s1')).resolves.toEqual(failed);
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toHaveLength(2);
      });

      it('forgets a compensated saga after the retention, with every outbox it still holds', async () => {
        await store.create(sagaState('s1'), [runTask('a')]);
        await store.commit(sagaState('s1', { version: 2, status: 'compensated' }), 1, [
          { type: 'finish', status: 'compensated' },
        ]);
        await fixture.elapse(fixture.retentionMs + 500);
        await expect(store.load('s1')).resolves.toBeUndefined();
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([]);
      });

      it('keeps a saga that is not terminal', async () => {
        await store.create(sagaState('s1'), [runTask('a')]);
        await store.commit(sagaState('s1', { version: 2, status: 'compensating' }), 1, [runTask('b')]);
        await fixture.elapse(fixture.retentionMs * 2);
        await expect(store.load('s1')).resolves.toMatchObject({ version: 2 });
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toHaveLength(2);
      });
    });

    it('answers a health check with a round trip to its server', async () => {
      await expect(store.check()).resolves.toBeUndefined();
    });

    describe('list', () => {
      const ids = (page: SagaListPage) => page.sagas.map((saga) => saga.id);
      const created = (id: string, createdAt: number, overrides: Partial<SagaState> = {}) =>
        store.create(sagaState(id, { createdAt, updatedAt: createdAt, ...overrides }), []);
      const moveTo = async (id: string, version: number, status: SagaState['status']) => {
        const stored = await store.load(id);
        return store.commit({ ...stored!, version, status }, version - 1, []);
      };

      it('lists summaries newest first, filtered by flow, by status, and by both', async () => {
        await created('b1', 1_000);
        await created('b2', 3_000);
        await created('r1', 2_000, { flow: 'refund' });
        await moveTo('b2', 2, 'stalled');
        await moveTo('r1', 2, 'stalled');

        await expect(store.list({})).resolves.toEqual({
          sagas: [
            { ...summary('b2', 3_000), status: 'stalled' },
            { ...summary('r1', 2_000), flow: 'refund', status: 'stalled' },
            summary('b1', 1_000),
          ],
        });
        expect(ids(await store.list({ flow: 'booking' }))).toEqual(['b2', 'b1']);
        expect(ids(await store.list({ status: 'stalled' }))).toEqual(['b2', 'r1']);
        expect(ids(await store.list({ flow: 'booking', status: 'stalled' }))).toEqual(['b2']);
        expect(ids(await store.list({ flow: 'refund', status: 'running' }))).toEqual([]);
        expect(ids(await store.list({ flow: 'unknown' }))).toEqual([]);
      });

      it('filters by trace id, combined with the other filters', async () => {
        await created('a', 1_000, { traceId: 't1' });
        await created('b', 2_000, { traceId: 't1', flow: 'refund' });
        await created('c', 3_000, { traceId: 't2' });
        await moveTo('a', 2, 'compensating');
        expect(ids(await store.list({ traceId: 't1' }))).toEqual(['b', 'a']);
        expect(ids(await store.list({ traceId: 't1', flow: 'booking' }))).toEqual(['a']);
        expect(ids(await store.list({ traceId: 't1', status: 'running' }))).toEqual(['b']);
        expect(ids(await store.list({ traceId: 't2', from: 3_001 }))).toEqual([]);
        expect(ids(await store.list({ traceId: 't3' }))).toEqual([]);
      });

      it('takes sagas created from `from` (inclusive) to `to` (exclusive)', async () => {
        for (const [id, at] of [
          ['a', 1_000],
          ['b', 2_000],
          ['c', 3_000],
          ['d', 4_000],
        ] as const) {
          await created(id, at);
        }
        expect(ids(await store.list({ from: 2_000, to: 4_000 }))).toEqual(['c', 'b']);
        expect(ids(await store.list({ from: 2_001 }))).toEqual(['d', 'c']);
        expect(ids(await store.list({ to: 2_000, status: 'running' }))).toEqual(['a']);
        expect(ids(await store.list({ flow: 'booking', from: 3_000, to: 3_000 }))).toEqual([]);
      });

      it('pages with the cursor through ties on createdAt, never repeating or skipping a saga', async () => {
        const times: Record<string, number> = {
          a: 1_000,
          b: 2_000,
          c: 2_000,
          d: 2_000,
          e: 2_000,
          f: 3_000,
          g: 2_000,
        };
        for (const [id, at] of Object.entries(times)) await created(id, at);
        const seen: string[][] = [];
        let page = await store.list({ limit: 2, to: 3_500 });
        seen.push(ids(page));
        await created('late', 9_000);
        while (page.next) {
          page = await store.list({ limit: 2, to: 3_500, cursor: page.next });
          seen.push(ids(page));
        }
        // Ties come by id, in the order the index gives them (descending).
        expect(seen).toEqual([['f', 'g'], ['e', 'd'], ['c', 'b'], ['a']]);
        expect(
          ids(
            await store.list({ limit: 4, status: 'running', cursor: (await store.list({ limit: 1 })).next }),
          ),
        ).toEqual(['f', 'g', 'e', 'd']);
      });

      it('ends on a full last page without a cursor, and pages 50 at a time by default', async () => {
        for (let i = 0; i < 51; i++) await created(`s${String(i).padStart(2, '0')}`, 1_000 + i);
        const first = await store.list({});
        expect(first.sagas).toHaveLength(50);
        const second = await store.list({ cursor: first.next });
        expect(second).toEqual({ sagas: [summary('s00', 1_000)] });
        const exact = await store.list({ limit: 1, from: 1_050 });
        expect(exact).toEqual({ sagas: [summary('s50', 1_050)] });
      });

      it('moves a saga between status filters as its status changes', async () => {
        await created('s1', 1_000);
        const listed = async () =>
          Promise.all(
            (['running', 'compensating', 'stalled'] as const).map(async (status) => [
              ids(await store.list({ status })),
              ids(await store.list({ flow: 'booking', status })),
            ]),
          );
        expect(await listed()).toEqual([
          [['s1'], ['s1']],
          [[], []],
          [[], []],
        ]);
        await moveTo('s1', 2, 'compensating');
        expect(await listed()).toEqual([
          [[], []],
          [['s1'], ['s1']],
          [[], []],
        ]);
        await moveTo('s1', 3, 'compensating');
        await moveTo('s1', 4, 'stalled');
        expect(await listed()).toEqual([
          [[], []],
          [[], []],
          [['s1'], ['s1']],
        ]);
        expect(ids(await store.list({ traceId: 'trace-s1', status: 'stalled' }))).toEqual(['s1']);
        expect(ids(await store.list({}))).toEqual(['s1']);
      });

      it('shows the step the saga is at and its last update', async () => {
        const steps = [...sagaState('s1').steps, { name: 'payment', tasks: [] }];
        await store.create(sagaState('s1', { steps }), []);
        await store.commit(sagaState('s1', { steps, step: 1, version: 2, updatedAt: 5_000 }), 1, []);
        await expect(store.list({})).resolves.toEqual({
          sagas: [{ ...summary('s1', 1_000), step: 'payment', updatedAt: 5_000 }],
        });
      });

      it('stops listing completed and compensated sagas after the retention, and keeps stalled ones', async () => {
        for (const id of ['done', 'undone', 'stalled', 'running']) await created(id, 1_000, { traceId: 't' });
        await moveTo('done', 2, 'completed');
        await moveTo('undone', 2, 'compensated');
        await moveTo('stalled', 2, 'stalled');
        await fixture.elapse(fixture.retentionMs - 2_000);
        expect(ids(await store.list({})).sort()).toEqual(['done', 'running', 'stalled', 'undone']);

        await fixture.elapse(fixture.retentionMs * 2);
        expect(ids(await store.list({})).sort()).toEqual(['running', 'stalled']);
        expect(ids(await store.list({ status: 'completed' }))).toEqual([]);
        expect(ids(await store.list({ flow: 'booking', status: 'compensated' }))).toEqual([]);
        expect(ids(await store.list({ traceId: 't' })).sort()).toEqual(['running', 'stalled']);
        expect(ids(await store.list({ status: 'stalled' }))).toEqual(['stalled']);
      });

      it('counts the sagas of each status, for one flow or all, and stops counting forgotten ones', async () => {
        const none = { running: 0, compensating: 0, stalled: 0, completed: 0, compensated: 0 };
        await expect(store.count()).resolves.toEqual(none);
        for (const id of ['done', 'stalled', 'running']) await created(id, 1_000);
        await created('refund', 1_000, { flow: 'refund' });
        await moveTo('done', 2, 'completed');
        await moveTo('stalled', 2, 'stalled');
        await moveTo('refund', 2, 'compensated');
        await expect(store.count()).resolves.toEqual({
          ...none,
          running: 1,
          stalled: 1,
          completed: 1,
          compensated: 1,
        });
        await expect(store.count('booking')).resolves.toEqual({
          ...none,
          running: 1,
          stalled: 1,
          completed: 1,
        });
        await expect(store.count('refund')).resolves.toEqual({ ...none, compensated: 1 });
        await expect(store.count('unknown')).resolves.toEqual(none);

        await fixture.elapse(fixture.retentionMs * 2);
        await expect(store.count()).resolves.toEqual({ ...none, running: 1, stalled: 1 });
      });

      it('lists a saga created again after it was forgotten once, with its new status', async () => {
        await created('s1', 1_000);
        await moveTo('s1', 2, 'completed');
        await fixture.elapse(fixture.retentionMs + 500);
        await created('s1', 2_000);
        expect(ids(await store.list({ status: 'completed' }))).toEqual([]);
        await expect(store.list({})).resolves.toEqual({ sagas: [summary('s1', 2_000)] });
        expect(ids(await store.list({ status: 'running' }))).toEqual(['s1']);
      });

      it('throws a RangeError for a limit outside 1..500 or a cursor it did not hand out', async () => {
        await created('s1', 1_000);
        for (const limit of [0, 501, 1.5, -1, Number.NaN]) {
          await expect(store.list({ limit })).rejects.toThrow(RangeError);
        }
        await expect(store.list({ limit: 0 })).rejects.toThrow(/limit must be a whole number from 1 to 500/);
        for (const cursor of ['', '!!', Buffer.from('nonsense').toString('base64url'), 'MTAwMA']) {
          await expect(store.list({ cursor })).rejects.toThrow(RangeError);
        }
        await expect(store.list({ limit: 500 })).resolves.toEqual({ sagas: [summary('s1', 1_000)] });
      });
    });

    describe('documents', () => {
      it('getDocument returns undefined for a missing document', async () => {
        await store.putDocument('other', 1, 0);
        await expect(store.getDocument('missing')).resolves.toBeUndefined();
      });

      it('putDocument with version 0 creates the document, and refuses once it exists', async () => {
        await expect(store.putDocument('barrier:{s1}:a', { status: 'done' }, 0)).resolves.toBe(true);
        await expect(store.putDocument('barrier:{s1}:a', { status: 'other' }, 0)).resolves.toBe(false);
        await expect(store.getDocument('barrier:{s1}:a')).resolves.toEqual({
          value: { status: 'done' },
          version: 1,
        });
      });

      it('putDocument is a compare-and-set on the version', async () => {
        await store.putDocument('d', 'v1', 0);
        await expect(store.putDocument('d', 'v2', 1)).resolves.toBe(true);
        await expect(store.putDocument('d', 'stale', 1)).resolves.toBe(false);
        await expect(store.putDocument('d', 'ahead', 3)).resolves.toBe(false);
        await expect(store.getDocument('d')).resolves.toEqual({ value: 'v2', version: 2 });
      });

      it('lets exactly one of concurrent writes on one version win', async () => {
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.putDocument('d', i, 0)));
        expect(results.filter(Boolean)).toHaveLength(1);
        await expect(store.getDocument('d')).resolves.toEqual({ value: results.indexOf(true), version: 1 });
      });

      it('expires a document after its time to live; it can then be created again', async () => {
        await store.putDocument('d', 'v1', 0, 60_000);
        await fixture.elapse(30_000);
        await expect(store.getDocument('d')).resolves.toEqual({ value: 'v1', version: 1 });
        await fixture.elapse(31_000);
        await expect(store.getDocument('d')).resolves.toBeUndefined();
        await expect(store.putDocument('d', 'again', 0)).resolves.toBe(true);
      });

      it('keeps a document whose last write had no time to live', async () => {
        await store.putDocument('d', 'v1', 0, 60_000);
        await store.putDocument('d', 'v2', 1);
        await fixture.elapse(120_000);
        await expect(store.getDocument('d')).resolves.toEqual({ value: 'v2', version: 2 });
      });
    });

    describe('time', () => {
      it('reads one clock, close to the host clock and never going back from call to call', async () => {
        const before = Date.now();
        const times: number[] = [];
        for (let i = 0; i < 20; i++) times.push(await store.time());
        const after = Date.now();
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(Number.isInteger(times[0])).toBe(true);
        // Same machine in the tests: the store's clock is the host's, give or take a second.
        expect(times[0]).toBeGreaterThanOrEqual(before - 1_000);
        expect(times[times.length - 1]).toBeLessThanOrEqual(after + 1_000);
      });
    });

    describe('counters', () => {
      const stock = (entryId: string, quantity: number, more: Partial<CounterAdjustment> = {}) => ({
        key: 'stock:p1',
        entryId,
        deltas: { available: -quantity, reserved: quantity },
        initial: { available: 5, reserved: 0 },
        ...more,
      });

      it('readCounters returns undefined for a key never adjusted', async () => {
        await store.adjustCounters({ ...stock('o1', 1), key: 'stock:other' });
        await expect(store.readCounters('stock:p1')).resolves.toBeUndefined();
      });

      it('starts a new key from its initial values and applies the deltas', async () => {
        await expect(store.adjustCounters(stock('o1', 2))).resolves.toEqual({
          status: 'applied',
          counters: { available: 3, reserved: 2 },
        });
        await expect(store.readCounters('stock:p1')).resolves.toEqual({ available: 3, reserved: 2 });
      });

      it('ignores the initial values once the key exists, and starts unnamed counters at 0', async () => {
        await store.adjustCounters(stock('o1', 2));
        await store.adjustCounters(stock('o2', 1, { initial: { available: 1_000 } }));
        await expect(
          store.adjustCounters({ key: 'stock:p1', entryId: 'o3', deltas: { sold: 4 } }),
        ).resolves.toEqual({ status: 'applied', counters: { available: 2, reserved: 3, sold: 4 } });
      });

      it('applies an entry once: a repeat is a duplicate and changes nothing', async () => {
        await store.adjustCounters(stock('o1', 2));
        await expect(store.adjustCounters(stock('o1', 3))).resolves.toEqual({
          status: 'duplicate',
          counters: { available: 3, reserved: 2 },
        });
        await expect(store.readCounters('stock:p1')).resolves.toEqual({ available: 3, reserved: 2 });
      });

      it('refuses without change when a lowered counter would end below the floor (0 by default)', async () => {
        await store.adjustCounters(stock('o1', 4));
        await expect(store.adjustCounters(stock('o2', 2))).resolves.toEqual({
          status: 'refused',
          counter: 'available',
          counters: { available: 1, reserved: 4 },
        });
        await expect(store.readCounters('stock:p1')).resolves.toEqual({ available: 1, reserved: 4 });
        // Nothing was recorded for the refused entry: it applies once stock is back.
        await store.revertCounters('stock:p1', 'o1');
        await expect(store.adjustCounters(stock('o2', 2))).resolves.toMatchObject({ status: 'applied' });
      });

      it('refuses a first adjustment against the initial values, storing nothing', async () => {
        await expect(store.adjustCounters(stock('o1', 6))).resolves.toEqual({
          status: 'refused',
          counter: 'available',
          counters: { available: 5, reserved: 0 },
        });
        await expect(store.readCounters('stock:p1')).resolves.toBeUndefined();
      });

      it('checks the floor it is given, and only for counters it lowers', async () => {
        await store.adjustCounters({ key: 'k', entryId: 'e1', deltas: { balance: -5 }, floor: -10 });
        await expect(
          store.adjustCounters({ key: 'k', entryId: 'e2', deltas: { balance: -6 }, floor: -10 }),
        ).resolves.toMatchObject({ status: 'refused', counter: 'balance' });
        await expect(
          store.adjustCounters({ key: 'k', entryId: 'e3', deltas: { balance: 1 }, floor: 100 }),
        ).resolves.toEqual({ status: 'applied', counters: { balance: -4 } });
      });

      it('reverts an entry once, and a reverted entry cannot be applied again', async () => {
        await store.adjustCounters(stock('o1', 2));
        await store.adjustCounters(stock('o2', 1));
        await expect(store.revertCounters('stock:p1', 'o1')).resolves.toEqual({
          reverted: true,
          counters: { available: 4, reserved: 1 },
        });
        await expect(store.revertCounters('stock:p1', 'o1')).resolves.toEqual({
          reverted: false,
          counters: { available: 4, reserved: 1 },
        });
        await expect(store.adjustCounters(stock('o1', 2))).resolves.toMatchObject({ status: 'duplicate' });
        await expect(store.readCounters('stock:p1')).resolves.toEqual({ available: 4, reserved: 1 });
      });

      it('changes nothing for a revert of an entry never applied', async () => {
        await expect(store.revertCounters('stock:p1', 'o9')).resolves.toEqual({
          reverted: false,
          counters: {},
        });
        await store.adjustCounters(stock('o1', 2));
        await expect(store.revertCounters('stock:p1', 'o9')).resolves.toEqual({
          reverted: false,
          counters: { available: 3, reserved: 2 },
        });
        await expect(store.adjustCounters(stock('o9', 1))).resolves.toMatchObject({ status: 'applied' });
      });

      it('forgets an entry after its time to live, but never the counters', async () => {
        await store.adjustCounters(stock('o1', 2, { entryTtlMs: 60_000 }));
        await fixture.elapse(61_000);
        await expect(store.revertCounters('stock:p1', 'o1')).resolves.toEqual({
          reverted: false,
          counters: { available: 3, reserved: 2 },
        });
        await expect(store.adjustCounters(stock('o1', 2))).resolves.toMatchObject({ status: 'applied' });
      });

      it('keeps counters of different keys apart, and entries of one id under different keys', async () => {
        await store.adjustCounters(stock('o1', 2));
        await store.adjustCounters({ ...stock('o1', 1), key: 'stock:p2' });
        await store.revertCounters('stock:p2', 'o1');
        await expect(store.readCounters('stock:p1')).resolves.toEqual({ available: 3, reserved: 2 });
        await expect(store.readCounters('stock:p2')).resolves.toEqual({ available: 5, reserved: 0 });
      });

      it('refuses deltas, initial values and floors that are not safe integers', async () => {
        for (const bad of [
          stock('o1', 0.5),
          stock('o1', Number.NaN),
          stock('o1', 1, { initial: { available: 2 ** 60 } }),
          stock('o1', 1, { floor: Infinity }),
        ]) {
          await expect(store.adjustCounters(bad)).rejects.toThrow(RangeError);
        }
        await expect(store.readCounters('stock:p1')).resolves.toBeUndefined();
      });

      it('neither oversells nor loses a change under concurrent adjustments and reverts of one key', async () => {
        const key = 'stock:hot';
        const initial = { available: 30, reserved: 0 };
        const reserve = (i: number) =>
          store.adjustCounters({ key, entryId: `o${i}`, deltas: { available: -1, reserved: 1 }, initial });
        const first = await Promise.all(Array.from({ length: 50 }, (_, i) => reserve(i)));
        expect(first.filter((r) => r.status === 'applied')).toHaveLength(30);
        expect(first.filter((r) => r.status === 'refused')).toHaveLength(20);
        const applied = first.flatMap((r, i) => (r.status === 'applied' ? [i] : []));

        // Release every reservation twice while the 20 refused ones are asked again, all at once.
        const [released, retried] = await Promise.all([
          Promise.all([...applied, ...applied].map((i) => store.revertCounters(key, `o${i}`))),
          Promise.all(first.flatMap((r, i) => (r.status === 'refused' ? [reserve(i)] : []))),
        ]);
        expect(released.filter((r) => r.reverted)).toHaveLength(30);
        const counters = await store.readCounters(key);
        const retriedApplied = retried.filter((r) => r.status === 'applied').length;
        expect(counters).toEqual({ available: 30 - retriedApplied, reserved: retriedApplied });
      });
    });

    describe('isolation', () => {
      it('copies values: changing what was passed in or handed out changes nothing stored', async () => {
        const state = sagaState('s1');
        const timer = sagaTimer(1_000);
        const commands: SagaCommand[] = [runTask('a'), schedule(timer)];
        await store.create(state, commands);
        state.steps[0].tasks[0].status = 'failed';
        (commands[0] as { input: unknown }).input = 'changed';
        commands.push(runTask('extra'));
        timer.task = 'changed';

        const loaded = await store.load('s1');
        expect(loaded).toEqual(sagaState('s1'));
        loaded!.steps[0].tasks[0].attempts = 99;
        await expect(store.load('s1')).resolves.toEqual(sagaState('s1'));

        const [outbox] = await store.pendingOutboxes(FAR_FUTURE, 10);
        expect(outbox.commands).toEqual([runTask('a')]);
        outbox.commands.push(runTask('extra'));
        await expect(store.pendingOutboxes(FAR_FUTURE, 10)).resolves.toEqual([
          { sagaId: 's1', version: 1, commands: [runTask('a')] },
        ]);

        const [due] = await store.claimDueTimers(1_000, 500, 10);
        due.timer.attempt = 7;
        await expect(store.claimDueTimers(1_500, 500, 10)).resolves.toEqual([
          { sagaId: 's1', timer: sagaTimer(1_000) },
        ]);

        const value = { list: [1, 2] };
        await store.putDocument('d', value, 0);
        value.list.push(3);
        const document = await store.getDocument('d');
        (document!.value as { list: number[] }).list.push(4);
        await expect(store.getDocument('d')).resolves.toEqual({ value: { list: [1, 2] }, version: 1 });
      });
    });
  });
}

/** A running saga at version 1 with one step of one task; `overrides` change any field. */
function sagaState(id: string, overrides: Partial<SagaState> = {}): SagaState {
  return {
    id,
    flow: 'booking',
    traceId: `trace-${id}`,
    status: 'running',
    input: { productId: 'p1', quantity: 2 },
    step: 0,
    steps: [
      { name: 'order', tasks: [{ name: 'create-order', status: 'running', attempts: 1, input: { a: 1 } }] },
    ],
    createdAt: 1_000,
    updatedAt: 1_000,
    version: 1,
    ...overrides,
  };
}

/** What a list shows of {@link sagaState}(`id`) created at `createdAt`. */
function summary(id: string, createdAt: number): SagaSummary {
  return {
    id,
    flow: 'booking',
    status: 'running',
    traceId: `trace-${id}`,
    step: 'order',
    createdAt,
    updatedAt: createdAt,
  };
}

function runTask(task: string): SagaCommand {
  return { type: 'run-task', step: 'order', task, attempt: 1, input: { task } };
}

function sagaTimer(dueAt: number, overrides: Partial<SagaTimer> = {}): SagaTimer {
  return { kind: 'task-retry', task: 'create-order', attempt: 1, dueAt, ...overrides };
}

function schedule(timer: SagaTimer): SagaCommand {
  return { type: 'schedule', timer };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
