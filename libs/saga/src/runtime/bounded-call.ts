/** `work`, or a rejection saying `what` did not answer once `ms` passed (the timer is cleared either way). */
export async function within<T>(ms: number, work: Promise<T>, what = 'no answer'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/**
 * `start` made shareable: a call while one is under way gets that one, so that probes and scrapes during an
 * outage do not pile up calls on the part that does not answer.
 */
export function sharedCall<T>(start: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= start().finally(() => (pending = undefined)));
}
