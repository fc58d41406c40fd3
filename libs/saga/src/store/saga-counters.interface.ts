/** Named numeric counters of one counter key (e.g. `{ available: 7, reserved: 3 }`). */
export type Counters = Readonly<Record<string, number>>;

/**
 * One idempotent change of the counters under `key`, recorded as the entry `entryId` (e.g. the stock of a
 * product, changed once per order). See `SagaStore.adjustCounters`.
 */
export interface CounterAdjustment {
  /** The counters' key; a store keeps the counters and their entries in one slot (hash tag). */
  readonly key: string;
  /** The entry this change is recorded as: a second adjustment with the same id changes nothing. */
  readonly entryId: string;
  /** Safe integers added to the named counters (negative to take away); counters not named stay as they are. */
  readonly deltas: Counters;
  /**
   * Values of the counters when `key` is seen the first time (never adjusted before); counters not named
   * start at 0.
   * @default {} (every counter starts at 0)
   */
  readonly initial?: Counters;
  /**
   * The lowest value a counter lowered by this change may end at: below it the change is refused.
   * @default 0
   */
  readonly floor?: number;
  /**
   * How long the entry is remembered (ms): after it, the same entry id counts as new and
   * `SagaStore.revertCounters` no longer finds it. The counters themselves never expire.
   * @default undefined (kept for good)
   */
  readonly entryTtlMs?: number;
}

/**
 * What `SagaStore.adjustCounters` did, with the counters as they stand afterwards:
 * - `applied`: the deltas were added and the entry recorded;
 * - `duplicate`: the entry existed already (applied, or reverted), nothing changed;
 * - `refused`: `counter` would have ended below the floor, nothing changed and no entry was recorded.
 */
export type CounterAdjustResult =
  | { readonly status: 'applied' | 'duplicate'; readonly counters: Counters }
  | { readonly status: 'refused'; readonly counter: string; readonly counters: Counters };

/**
 * What `SagaStore.revertCounters` did: `reverted` is true when the entry's deltas were taken back
 * now, false when there was nothing to revert (never applied, expired, or reverted already). `counters` are
 * the counters afterwards (`{}` for a key never adjusted).
 */
export interface CounterRevertResult {
  readonly reverted: boolean;
  readonly counters: Counters;
}
