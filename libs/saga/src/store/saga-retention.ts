import type { SagaStatus } from '../engine/saga-state';

/**
 * Whether a saga in `status` expires after the store's retention. Only sagas that ended as the caller
 * can act on do (`completed`, `compensated`); a `stalled` saga holds effects an operator must see to, so it
 * stays until one does.
 */
export function expiresWithRetention(status: SagaStatus): boolean {
  return status === 'completed' || status === 'compensated';
}
