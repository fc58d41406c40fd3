import type { Json } from '../engine/saga-state';
import type { VersionedDocument } from '../store/saga-store.interface';

/**
 * Where the barrier keeps its records: versioned JSON documents written by compare-and-set. Every
 * `SagaStore` is one (its participant documents), and the saga store is the default.
 *
 * Implement it in a service's own database to make a task's effect and its barrier record one atomic
 * write: hand a `BarrierStore` bound to the business transaction to `TaskContext.recordDoneWithin`, and the
 * record commits or rolls back with the effect. That is the only fully atomic form: with the barrier in
 * another store, a worker that dies after its effect and before its record leaves a task that runs again
 * once its lease lapses (handlers must then be idempotent), and a compensation that claims the task while
 * the effect commits elsewhere can only be answered by undoing it afterwards.
 *
 * @example
 * // a row per key: (key text primary key, version int, value jsonb, expires_at timestamptz)
 * class PgBarrierStore implements BarrierStore {
 *   constructor(private readonly db: PoolClient | Pool) {}
 *   async getDocument(key: string) { ... SELECT version, value ... }
 *   async putDocument(key: string, value: Json, expectedVersion: number, ttlMs?: number) {
 *     // expectedVersion 0: INSERT ... ON CONFLICT DO NOTHING; else UPDATE ... WHERE version = $expected
 *     return rowCount === 1;
 *   }
 * }
 */
export interface BarrierStore {
  getDocument(key: string): Promise<VersionedDocument | undefined>;
  /**
   * Writes `value` if the stored version is still `expectedVersion` (0: the key must not exist); the new
   * version is `expectedVersion + 1`; `ttlMs` lets it expire. Returns false on a lost race.
   */
  putDocument(key: string, value: Json, expectedVersion: number, ttlMs?: number): Promise<boolean>;
}
