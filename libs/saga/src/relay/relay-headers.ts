import { createHash, randomBytes } from 'node:crypto';
import type { TaskContext } from '../interfaces/task-context.interface';

/** Which call of a relayed task: the task itself, or its compensation. */
export type RelayCallKind = 'run' | 'compensate';

/** What a relay sends with every call, as gRPC metadata or HTTP headers. */
export interface RelayHeaders {
  /** `<sagaId>:<task wire name>`, and `<sagaId>:<task wire name>:compensate` for the compensation. */
  'x-idempotency-key': string;
  /** The saga's trace id (the caller's `x-request-id`). */
  'x-request-id': string;
  /** W3C trace context of the saga, a fresh span per call. */
  traceparent: string;
}

/**
 * The idempotency key of one call: the same for every attempt and every delivery of the task in one saga,
 * so that a service that honours it takes the effect once and answers a repeated call with its first answer.
 */
export function relayIdempotencyKey(sagaId: string, task: string, kind: RelayCallKind): string {
  return kind === 'run' ? `${sagaId}:${task}` : `${sagaId}:${task}:compensate`;
}

/** The headers of a call made for `ctx`'s task. */
export function relayHeaders(ctx: TaskContext, kind: RelayCallKind): RelayHeaders {
  return {
    'x-idempotency-key': relayIdempotencyKey(ctx.sagaId, ctx.task, kind),
    'x-request-id': ctx.traceId,
    traceparent: `00-${w3cTraceId(ctx.traceId)}-${spanId()}-01`,
  };
}

const TRACE_ID = /^[0-9a-f]{32}$/;

// The same derivation as the transport's AMQP headers, so that the relayed call joins the saga's trace: the
// trace id itself when it is 32 hex digits (a UUID), else the first 32 hex digits of its SHA-256.
function w3cTraceId(traceId: string): string {
  const compact = traceId.toLowerCase().replace(/-/g, '');
  if (TRACE_ID.test(compact) && !/^0+$/.test(compact)) return compact;
  return createHash('sha256').update(traceId).digest('hex').slice(0, 32);
}

function spanId(): string {
  const id = randomBytes(8).toString('hex');
  return id === '0000000000000000' ? '0000000000000001' : id;
}
