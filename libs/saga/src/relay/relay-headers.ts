import type { TaskContext } from '../interfaces/task-context.interface';
import { traceHeaders } from '../transport/trace-headers';

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
    // The transport's derivation, so that the relayed call joins the saga's trace.
    ...traceHeaders(ctx.traceId),
  };
}
