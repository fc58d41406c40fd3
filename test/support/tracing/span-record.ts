import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** A finished span as one process tells another (JSON): what the tracing e2e asserts. */
export interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: number;
  status: number;
  attributes: Record<string, unknown>;
}

export function spanRecord(span: ReadableSpan): SpanRecord {
  const { traceId, spanId } = span.spanContext();
  return {
    name: span.name,
    traceId,
    spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    kind: span.kind,
    status: span.status.code,
    attributes: { ...span.attributes },
  };
}

/** The line a worker prints its spans on, once stopped. */
export const SPANS_LINE = 'spans: ';
/** The line a worker prints once it consumes its task queues. */
export const READY_LINE = 'ready';
