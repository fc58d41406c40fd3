export type {
  CounterAdjustment,
  CounterAdjustResult,
  CounterRevertResult,
  Counters,
} from './saga-counters.interface';
export type {
  DueTimer,
  SagaCommitOptions,
  SagaOutbox,
  SagaStore,
  VersionedDocument,
} from './saga-store.interface';
export { UnsafeEvictionPolicyError } from './unsafe-eviction-policy.error';
export { MemorySagaStore, type MemorySagaStoreOptions } from './memory-saga.store';
export {
  type RedisSagaClient,
  RedisSagaKeys,
  RedisSagaStore,
  type RedisSagaStoreOptions,
} from './redis-saga.store';
