import type { SagaState } from '../engine/saga-state';
import { SAGA_STATUSES } from '../vocabulary';
import {
  SAGA_LIST_DEFAULT_LIMIT,
  SAGA_LIST_MAX_LIMIT,
  type SagaCounts,
  type SagaListQuery,
  type SagaSummary,
} from './saga-list.interface';

/** Where a page starts: strictly after this saga in list order (newest first, then id descending). */
export interface SagaListPosition {
  createdAt: number;
  id: string;
}

/** A {@link SagaListQuery} both stores read the same way: the page size checked, the cursor decoded. */
export interface CheckedSagaListQuery {
  limit: number;
  after?: SagaListPosition;
}

/**
 * Checks `query.limit` (1 to {@link SAGA_LIST_MAX_LIMIT}, default {@link SAGA_LIST_DEFAULT_LIMIT}) and
 * decodes `query.cursor`; either being wrong throws a `RangeError` naming `method`.
 */
export function checkSagaListQuery(method: string, query: SagaListQuery): CheckedSagaListQuery {
  const limit = query.limit ?? SAGA_LIST_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > SAGA_LIST_MAX_LIMIT) {
    throw new RangeError(
      `${method}: limit must be a whole number from 1 to ${SAGA_LIST_MAX_LIMIT}, got ${String(limit)}`,
    );
  }
  return { limit, after: query.cursor === undefined ? undefined : decodeCursor(method, query.cursor) };
}

/** The opaque cursor of a page that ends at `last`: base64url of `<createdAt>:<id>`. */
export function sagaListCursor(last: SagaListPosition): string {
  return Buffer.from(`${last.createdAt}:${last.id}`, 'utf8').toString('base64url');
}

/** What a list shows of a saga. */
export function summarizeSaga(state: SagaState): SagaSummary {
  const { id, flow, status, traceId, createdAt, updatedAt } = state;
  return { id, flow, status, traceId, step: state.steps[state.step]?.name ?? '', createdAt, updatedAt };
}

/**
 * List order, as a Redis sorted set walked in reverse gives it: newest `createdAt` first, then ids in
 * descending byte order (UTF-8, as Redis compares members). Negative when `a` comes first.
 */
export function compareListOrder(a: SagaListPosition, b: SagaListPosition): number {
  return b.createdAt - a.createdAt || Buffer.compare(Buffer.from(b.id), Buffer.from(a.id));
}

function decodeCursor(method: string, cursor: string): SagaListPosition {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^(-?\d{1,16}):(.+)$/s.exec(decoded);
  const createdAt = match ? Number(match[1]) : Number.NaN;
  if (!match || !Number.isSafeInteger(createdAt)) {
    throw new RangeError(
      `${method}: unreadable cursor ${JSON.stringify(cursor)}; pass a page's \`next\` as it is`,
    );
  }
  return { createdAt, id: match[2] };
}

/** Counts of zero in every status, for `SagaStore.count` to add to. */
export function noSagaCounts(): SagaCounts {
  return Object.fromEntries(SAGA_STATUSES.map((status) => [status, 0])) as SagaCounts;
}
