import { SAGA_MESSAGES } from '../saga.messages';
import { UnsafeEvictionPolicyError } from './unsafe-eviction-policy.error';

/**
 * The only `maxmemory-policy` a saga store can live with. `allkeys-*` evicts any key. `volatile-*` evicts
 * keys with a time to live, and DTA's keys with one are not disposable either: barrier records of running
 * sagas (an evicted one lets a redelivered task run twice) and finished sagas whose id is an idempotency
 * key (an evicted one lets a repeated start book twice). Under `noeviction` a full server refuses writes with an
 * OOM error, as a store outage does, and loses nothing it holds.
 */
export const SAFE_EVICTION_POLICY = 'noeviction';

/** The `maxmemory_policy` of an `INFO memory` reply, or undefined when it has none. */
export function evictionPolicyOf(info: string): string | undefined {
  return /^maxmemory_policy:(\S+)\s*$/m.exec(info)?.[1];
}

/** Throws {@link UnsafeEvictionPolicyError} unless `INFO memory` says `maxmemory_policy:noeviction`. */
export function checkEvictionPolicy(info: string): void {
  const policy = evictionPolicyOf(info);
  if (policy !== SAFE_EVICTION_POLICY) {
    throw new UnsafeEvictionPolicyError(policy, SAGA_MESSAGES.UNSAFE_EVICTION_POLICY(policy));
  }
}
