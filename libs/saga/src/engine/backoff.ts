import type { TaskPolicy } from './saga-plan';

/** FNV-1a: a stable hash, so that the engine's jitter is deterministic (same saga, task, attempt -> same wait). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed. */
export function backoffDelay(policy: TaskPolicy, seed: string, attempt: number): number {
  const { delayMs, factor, maxMs, jitter } = policy.backoff;
  const base = Math.min(maxMs, delayMs * Math.pow(factor, attempt - 1));
  const random = hash(`${seed}#${attempt}`) / 0x1_0000_0000;
  return Math.round(base * (1 - jitter * random));
}
