/** The Redis server may evict keys (its `maxmemory-policy` is not `noeviction`): RedisSagaStore refuses it. */
export class UnsafeEvictionPolicyError extends Error {
  override readonly name = 'UnsafeEvictionPolicyError';

  constructor(
    /** The policy the server reported (`undefined`: it reported none). */
    readonly policy: string | undefined,
    message: string,
  ) {
    super(message);
  }
}
