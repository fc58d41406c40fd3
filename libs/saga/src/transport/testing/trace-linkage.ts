import { context, ROOT_CONTEXT, type SpanContext, trace, TraceFlags } from '@opentelemetry/api';
import type { SagaTransport } from '../saga-transport.interface';
import { w3cTraceId } from '../trace-headers';
import { sampleTask } from './sample-messages';

/** The span that sent a message, and the span active where its handler ran. */
export interface TraceLinkage {
  sender: SpanContext;
  handler: SpanContext | undefined;
}

/**
 * Sends a task message inside a span of its saga's trace and resolves with that span and the span its handler
 * ran under, which must be the same: the adapter carried `traceparent` to the handler. The calling spec must
 * have registered an SDK and a context manager (e.g. `new NodeTracerProvider(...).register()`).
 */
export async function traceLinkage(transport: SagaTransport, n = 1): Promise<TraceLinkage> {
  const message = sampleTask(n);
  let delivered!: (span: SpanContext | undefined) => void;
  const handled = new Promise<SpanContext | undefined>((resolve) => (delivered = resolve));
  // Consumed from a context of another trace: the handler's span must come from the message, not from here.
  await context.with(ROOT_CONTEXT, () =>
    transport.consumeTasks(message.flow, message.task, async () => {
      delivered(trace.getSpanContext(context.active()));
    }),
  );
  const saga = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: w3cTraceId(message.traceId),
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  const sender = await trace
    .getTracer('dta-transport-spec')
    .startActiveSpan('orchestrator', {}, saga, async (span) => {
      await transport.sendTask(message);
      span.end();
      return span.spanContext();
    });
  return { sender, handler: await handled };
}
