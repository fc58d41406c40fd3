import { createHash } from 'node:crypto';
import {
  type Attributes,
  type Context,
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import type { SagaState } from '../engine/saga-state';
import { SAGA_TRACER_NAME, SAGA_VERSION } from '../saga.constants';
import { describeError } from '../transport/message-delivery';
import { activeSpanContext, isTracing } from '../transport/trace-context';
import { w3cTraceId } from '../transport/trace-headers';
import { transitionEndings } from './saga-observers';
import { SAGA_SPAN_ATTRIBUTES } from './saga.spans';

/** A span to run something in: its name, the saga it belongs to, and what else it says. */
export interface SagaSpanOptions {
  name: string;
  sagaId: string;
  /** The saga's trace id (its W3C trace id is derived from it as the transport's headers derive it). */
  traceId: string;
  kind?: SpanKind;
  attributes?: Attributes;
}

/**
 * DTA's OpenTelemetry spans, through `@opentelemetry/api` only: the application registers an SDK, or the API
 * is a no-op, and `traced` runs the work alone (the callers of `inSpan` and `transitioned` check `isTracing()`).
 *
 * Every span belongs to its saga's trace: its parent is the span active where it starts (the sender of the
 * message being handled, whose `traceparent` the transport made current) when that span is of the saga's
 * trace; otherwise (a timer, a message from a process without an SDK) a remote parent of the saga's trace
 * whose span id is derived from the saga id, the same for every such span of one saga.
 */
export class SagaTracer {
  private readonly tracer = trace.getTracer(SAGA_TRACER_NAME, SAGA_VERSION);

  /**
   * `work` inside the span `options` describes when an SDK is registered (see {@link inSpan}); `work` alone
   * otherwise, without building the span's options.
   */
  traced<T>(
    options: () => SagaSpanOptions,
    work: () => Promise<T>,
    failure?: (value: T) => string | undefined,
  ): Promise<T> {
    return isTracing() ? this.inSpan(options(), work, failure) : work();
  }

  /**
   * Runs `work` inside a new span, active while it runs (what it sends carries the span's id). The span ends
   * when `work` settles, with status ERROR if it threw, or if `failure` finds an error in its value.
   */
  async inSpan<T>(
    options: SagaSpanOptions,
    work: () => Promise<T>,
    failure?: (value: T) => string | undefined,
  ): Promise<T> {
    const { name, kind = SpanKind.INTERNAL } = options;
    const attributes = { ...sagaAttributes(options.sagaId), ...options.attributes };
    const parent = this.parentIn(options.sagaId, options.traceId);
    return this.tracer.startActiveSpan(name, { kind, attributes }, parent, async (span) => {
      try {
        const value = await work();
        const error = failure?.(value);
        if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
        return value;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(error) });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /**
   * Emits the spans of what a committed transition from `before` to `after` ended, read from the timeline
   * entries it appended: `saga step <step>` from the step's start to its verdict, and `saga <flow>` from the
   * saga's creation to its end or stall. Called once, by the replica whose commit made the transition.
   */
  transitioned(before: SagaState, after: SagaState): void {
    const endings = transitionEndings(before, after);
    if (endings.length === 0) return;
    const parent = this.parentIn(after.id, after.traceId);
    for (const ending of endings) {
      const { status, at, error } = ending;
      if (ending.of === 'step') {
        const failed =
          status === 'failed' ? (error?.message ?? after.failure?.error.message ?? 'failed') : undefined;
        const attributes = {
          ...sagaAttributes(after.id, after.flow),
          [SAGA_SPAN_ATTRIBUTES.step]: ending.step,
        };
        this.emit(`saga step ${ending.step}`, parent, ending.startedAt, at, attributes, failed);
      } else {
        const failed =
          ending.status === 'completed' ? undefined : (error?.message ?? failureText(after, ending.status));
        const attributes = { ...sagaAttributes(after.id, after.flow), [SAGA_SPAN_ATTRIBUTES.status]: status };
        this.emit(`saga ${after.flow}`, parent, after.createdAt, at, attributes, failed);
      }
    }
  }

  private emit(
    name: string,
    parent: Context,
    startTime: number,
    endTime: number,
    attributes: Attributes,
    failed: string | undefined,
  ): void {
    // Dates, not numbers: SDKs before 2.x read a number below their process's start time as a performance.now()
    // offset, and a saga may have begun before this replica did.
    const options = { kind: SpanKind.INTERNAL, startTime: new Date(startTime), attributes };
    const span = this.tracer.startSpan(name, options, parent);
    if (failed !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: failed });
    span.end(new Date(Math.max(startTime, endTime)));
  }

  /** The active context if its span is of the saga's trace, else one with the saga's derived remote parent. */
  private parentIn(sagaId: string, traceId: string): Context {
    const w3c = w3cTraceId(traceId);
    const active = context.active();
    if (activeSpanContext()?.traceId === w3c) return active;
    const spanId = createHash('sha256').update(sagaId).digest('hex').slice(0, 16);
    return trace.setSpanContext(active, {
      traceId: w3c,
      spanId,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
  }
}

/** The attributes naming a saga. */
export function sagaAttributes(sagaId: string, flow?: string): Attributes {
  return flow === undefined
    ? { [SAGA_SPAN_ATTRIBUTES.sagaId]: sagaId }
    : { [SAGA_SPAN_ATTRIBUTES.sagaId]: sagaId, [SAGA_SPAN_ATTRIBUTES.flow]: flow };
}

function failureText(state: SagaState, event: 'compensated' | 'stalled'): string {
  const cause = event === 'stalled' ? state.stall?.error : state.failure?.error;
  return cause?.message ?? event;
}
