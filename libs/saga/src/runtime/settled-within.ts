import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until every one of `work` settled, or `ms` passed, whichever comes first; never rejects. The timer is
 * cancelled once the work settled, so that it does not hold the process open (shutdown waits).
 */
export async function settledWithin(work: Iterable<Promise<unknown>>, ms: number): Promise<void> {
  const waited = new AbortController();
  const timeout = sleep(ms, undefined, { signal: waited.signal }).catch(() => undefined);
  await Promise.race([Promise.allSettled(work), timeout]);
  waited.abort();
}
