import {
  type Context,
  context,
  ProxyTracerProvider,
  type SpanContext,
  trace,
  TraceFlags,
} from '@opentelemetry/api';

/** The delegate of a `ProxyTracerProvider` that nobody registered: the API's no-op provider. */
const NO_OP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether an OpenTelemetry SDK registered a tracer provider. Without one the API is a no-op, and DTA skips
 * all its tracing work (no span, no context, no parsing): one `instanceof` and a comparison per message.
 */
export function isTracing(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NO_OP_PROVIDER;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The span context a W3C `traceparent` header names, as a remote parent; `undefined` if it is not one. */
export function spanContextOf(traceparent: unknown): SpanContext | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent.trim().toLowerCase());
  if (!match || match[0].startsWith('ff')) return undefined;
  const [, traceId, spanId, flags] = match;
  const parent = { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
  return trace.isSpanContextValid(parent) ? parent : undefined;
}

/** The active context with `traceparent`'s span as the current (remote) span, or the active one as it is. */
export function contextOf(traceparent: unknown): Context {
  const active = context.active();
  const parent = spanContextOf(traceparent);
  return parent ? trace.setSpanContext(active, parent) : active;
}

/**
 * Runs a message's handler as a child of the span that sent it (its `traceparent` header), so that the spans
 * it starts continue the sender's trace. Calls it directly when no SDK is registered.
 */
export function inSenderContext<M, R>(traceparent: unknown, handler: (message: M) => R, message: M): R {
  if (!isTracing()) return handler(message);
  return context.with(contextOf(traceparent), handler, undefined, message);
}

/** The span active here, if it is a valid one. */
export function activeSpanContext(): SpanContext | undefined {
  const span = trace.getSpanContext(context.active());
  return span && trace.isSpanContextValid(span) ? span : undefined;
}
