import { createHash, randomFillSync } from 'node:crypto';
import type { SpanContext } from '@opentelemetry/api';

/** AMQP headers every DTA message carries. */
export interface TraceHeaders {
  /** The saga's trace id, as given by the caller (e.g. the HTTP `x-request-id`). */
  'x-request-id': string;
  /** W3C trace context: `00-<trace id>-<span id>-<flags>`. */
  traceparent: string;
}

const TRACE_ID = /^[0-9a-f]{32}$/;

/**
 * Headers for a message of the saga traced by `traceId`. The W3C trace id is {@link w3cTraceId}, so every
 * message of one saga shares it. The span id is the sender's span (`sender`, an OpenTelemetry span of the same
 * trace that sends the message), else random per message.
 */
export function traceHeaders(traceId: string, sender?: SpanContext): TraceHeaders {
  const w3c = w3cTraceId(traceId);
  const traceparent =
    sender?.traceId === w3c
      ? `00-${w3c}-${sender.spanId}-0${sender.traceFlags & 1}`
      : `00-${w3c}-${spanId()}-01`;
  return { 'x-request-id': traceId, traceparent };
}

/**
 * The W3C trace id of a saga's trace id: the trace id itself when it is already 32 hex digits (a UUID with or
 * without dashes, or an OpenTelemetry trace id), otherwise the first 32 hex digits of its SHA-256.
 */
export function w3cTraceId(traceId: string): string {
  const compact = traceId.toLowerCase().replace(/-/g, '');
  if (TRACE_ID.test(compact) && !/^0+$/.test(compact)) return compact;
  return createHash('sha256').update(traceId).digest('hex').slice(0, 32);
}

/** Random bytes drawn 4 KB at a time: one `randomBytes(8)` per message was 3 % of a process's busy time. */
const spanIds = { pool: Buffer.alloc(4096), next: 4096 };

/** A random, non-zero span id (16 hex digits). */
export function spanId(): string {
  if (spanIds.next === spanIds.pool.length) {
    randomFillSync(spanIds.pool);
    spanIds.next = 0;
  }
  const id = spanIds.pool.toString('hex', spanIds.next, (spanIds.next += 8));
  return id === '0000000000000000' ? '0000000000000001' : id;
}
