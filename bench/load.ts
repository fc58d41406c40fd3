import { performance } from 'node:perf_hooks';
import type { LoadResult } from './ipc';

/** Runs one saga to its result; `i` numbers the sagas of a run from 0. */
export type RunSaga = (i: number) => Promise<void>;

/**
 * Closed loop: `c` lanes each start a saga, wait for its result, start the next, until `n` sagas ran. Throughput
 * is `n` over the whole run; every saga's latency is kept.
 */
export async function runClosedLoop(n: number, c: number, runSaga: RunSaga): Promise<LoadResult> {
  const latenciesMs = new Array<number>(n).fill(0);
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) {
      const started = performance.now();
      try {
        await runSaga(i);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      latenciesMs[i] = performance.now() - started;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.max(1, Math.min(c, n)) }, lane));
  const elapsedMs = performance.now() - started;
  return { n, c, elapsedMs, latenciesMs, errors, ...(firstError ? { firstError } : {}) };
}
