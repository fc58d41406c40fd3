export type { DueTimer, SagaOutbox, SagaStore, VersionedDocument } from './saga-store.interface';
export { MemorySagaStore, type MemorySagaStoreOptions } from './memory-saga.store';
export { RedisSagaKeys, RedisSagaStore, type RedisSagaStoreOptions } from './redis-saga.store';
