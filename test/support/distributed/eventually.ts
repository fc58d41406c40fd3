import { setTimeout as sleep } from 'node:timers/promises';

/** How long to keep asking, and how often. */
export interface EventuallyOptions {
  timeoutMs: number;
  /** @default 50 */
  intervalMs?: number;
}

/**
 * Calls `probe` until `done(value)` holds or the deadline passes, and returns the last value either way:
 * the caller asserts on it, so a timeout fails with the state last seen rather than with "timed out".
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs, intervalMs = 50 }: EventuallyOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() >= deadline) return value;
    await sleep(intervalMs);
  }
}
