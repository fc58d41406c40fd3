import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { activeSpanContext, isTracing, spanContextOf } from '../transport/trace-context';

/** The header that carries a request's trace id, in and out. */
export const TRACE_ID_HEADER = 'x-request-id';

/** A request that went through {@link sagaTraceId}. */
export interface TracedRequest extends IncomingMessage {
  /** Whether the caller sent the trace id (then it also makes the start idempotent). */
  traceIdGiven?: boolean;
}

const TRACE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** What a caller's trace id may look like (REST and gRPC alike); anything else is replaced by a new one. */
export function isTraceId(value: unknown): value is string {
  return typeof value === 'string' && TRACE_ID_PATTERN.test(value);
}

/**
 * Middleware that takes the trace id from `x-request-id`, or else the request's OpenTelemetry trace (the
 * trace id of the active span, when an SDK and its HTTP instrumentation are registered, else of the W3C
 * `traceparent` header), or else makes one (a UUID), puts it back on the request
 * for `@TraceId()` and `@IdempotencyKey()`, and echoes it in the response, whatever the response turns out to
 * be (400s included). It works on the raw Node request and response, so on Express and on Fastify alike.
 * Register it with `app.use(sagaTraceId)` rather than in a module, so that it runs before the body parser.
 */
export function sagaTraceId(request: IncomingMessage, response: ServerResponse, next: () => void): void {
  const given = request.headers[TRACE_ID_HEADER];
  const valid = isTraceId(given);
  const traceId = valid ? given : (requestTraceId(request) ?? randomUUID());
  request.headers[TRACE_ID_HEADER] = traceId;
  (request as TracedRequest).traceIdGiven = valid;
  response.setHeader(TRACE_ID_HEADER, traceId);
  next();
}

/** The OpenTelemetry trace id of a request: of the span its instrumentation made, or of its `traceparent`. */
function requestTraceId(request: IncomingMessage): string | undefined {
  const span = isTracing() ? activeSpanContext() : undefined;
  return span?.traceId ?? spanContextOf(request.headers.traceparent)?.traceId;
}
