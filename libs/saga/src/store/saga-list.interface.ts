import type { SagaStatus } from '../engine/saga-state';

/**
 * Which sagas `SagaStore.list` returns, newest first (by `createdAt`, then id). Every filter is optional and
 * they combine with AND; the index behind them is kept by the same atomic write as the saga, so a list never
 * scans the store.
 */
export interface SagaListQuery {
  flow?: string;
  status?: SagaStatus;
  traceId?: string;
  /** Created at or after this time (epoch ms). */
  from?: number;
  /** Created before this time (epoch ms). */
  to?: number;
  /** Where the previous page ended (`SagaListPage.next`). */
  cursor?: string;
  /** Page size, 1 to 500. @default 50 */
  limit?: number;
}

/** One saga in a list: enough to pick it, not its whole state. */
export interface SagaSummary {
  id: string;
  flow: string;
  status: SagaStatus;
  traceId: string;
  /** Step the saga is at (running, compensating or stalled) or ended at. */
  step: string;
  createdAt: number;
  updatedAt: number;
}

export interface SagaListPage {
  sagas: SagaSummary[];
  /** Cursor of the next page; absent on the last one. */
  next?: string;
}

/** How many sagas are in each status (`SagaStore.count`). */
export type SagaCounts = Record<SagaStatus, number>;

export const SAGA_LIST_DEFAULT_LIMIT = 50;
export const SAGA_LIST_MAX_LIMIT = 500;
