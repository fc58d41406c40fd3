import { createHash, randomUUID } from 'node:crypto';
import type { Json } from '../engine/saga-state';
import { SagaIdempotencyConflictError } from '../errors/saga-idempotency-conflict.error';
import { SAGA_MESSAGES } from '../saga.messages';
import type { SagaStore } from '../store/saga-store.interface';

/** The record that ties an idempotency key of one flow to its saga and to the input it was first sent with. */
interface IdempotencyRecord {
  sagaId: string;
  /** SHA-256 of the input's canonical JSON. */
  input: string;
}

/** JSON with object keys sorted at every level, so that two equal inputs give one text whatever their key order. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The saga id of an idempotent start: the one recorded for (`flow`, `key`), or a new random one recorded now
 * (compare-and-set, so two gateways racing with one key agree on the first). Saga ids are never derived from
 * the key, so a caller who knows someone else's `x-request-id` cannot compute their saga id. Throws
 * `SagaIdempotencyConflictError` when the key was first used with another input (HTTP 422). The record lives
 * for the store's retention: within it, the same key always names the same saga.
 */
export async function idempotentSagaId(
  store: SagaStore,
  flow: string,
  key: string,
  input: Json,
  retentionMs: number,
): Promise<string> {
  const documentKey = `idempotency:${flow}:${sha256(key)}`;
  const inputHash = sha256(canonicalJson(input));
  for (;;) {
    const stored = await store.getDocument(documentKey);
    if (stored) {
      const record = stored.value as unknown as IdempotencyRecord;
      if (record.input !== inputHash) {
        throw new SagaIdempotencyConflictError(SAGA_MESSAGES.IDEMPOTENCY_CONFLICT(flow), flow, record.sagaId);
      }
      return record.sagaId;
    }
    const record: IdempotencyRecord = { sagaId: randomUUID(), input: inputHash };
    if (await store.putDocument(documentKey, { ...record }, 0, retentionMs)) return record.sagaId;
  }
}
