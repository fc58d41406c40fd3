import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SagaCompensatedError } from '../errors/saga-outcome.error';
import { SAGA_VERSION } from '../saga.constants';
import { SagaTestingModule, type SagaTestingOptions } from '../testing/saga-testing.module';
import { isTracing } from '../transport/trace-context';
import { withTracingSdk } from '../transport/testing/tracing-sdk';
import { SagaClient } from './saga.client';
import { Parcel, PARCEL_PROVIDERS, parcelBehaviour, resetParcelBehaviour } from './testing/parcel.flow';

describe('SagaTracer: the spans of a saga (memory transport and store, an SDK registered)', () => {
  const exporter = new InMemorySpanExporter();
  let moduleRef: TestingModule;
  let client: SagaClient;

  withTracingSdk({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

  async function boot(options: SagaTestingOptions = {}): Promise<void> {
    await moduleRef?.close();
    moduleRef = await Test.createTestingModule({
      imports: [SagaTestingModule.forRoot(options)],
      providers: PARCEL_PROVIDERS,
    }).compile();
    await moduleRef.init();
    client = moduleRef.get(SagaClient);
  }

  beforeEach(async () => {
    resetParcelBehaviour();
    exporter.reset();
    await boot();
  });

  afterEach(() => moduleRef.close());

  /** Every span, once the handlers under way have finished (closing the module waits for them). */
  async function finishedSpans(): Promise<ReadableSpan[]> {
    await moduleRef.close();
    return exporter.getFinishedSpans();
  }

  const named = (spans: ReadableSpan[], name: string) => spans.filter((span) => span.name === name);
  const one = (spans: ReadableSpan[], name: string) => {
    const found = named(spans, name);
    expect(found.map((span) => span.name)).toEqual([name]);
    return found[0];
  };
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
  const idOf = (span: ReadableSpan) => span.spanContext().spanId;

  it('continues the caller’s span: one trace, the start span its child, the saga’s trace id its own', async () => {
    const caller = trace.getTracer('parcel-app');
    const done = await caller.startActiveSpan('POST /parcels', async (span) => {
      try {
        return await client.run(Parcel, { parcel: 'p1' });
      } finally {
        span.end();
      }
    });

    const spans = await finishedSpans();
    const http = one(spans, 'POST /parcels');
    const traceId = http.spanContext().traceId;
    expect(done.traceId).toBe(traceId);
    expect(new Set(spans.map((span) => span.spanContext().traceId))).toEqual(new Set([traceId]));
    const start = one(spans, 'saga start parcel');
    expect(parentOf(start)).toBe(idOf(http));
    expect(start.kind).toBe(SpanKind.CONSUMER);
    expect(start.attributes).toMatchObject({ 'dta.saga.id': done.sagaId, 'dta.saga.flow': 'parcel' });
    expect(start.instrumentationScope).toMatchObject({ name: '@dta/saga', version: SAGA_VERSION });
  });

  it('makes each task span a child of the orchestrator span that sent it, and each reply a child of its task', async () => {
    const done = await client.run(Parcel, { parcel: 'p2' }, { traceId: 'order-42' });

    const spans = await finishedSpans();
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    const start = one(spans, 'saga start parcel');
    const pack = one(spans, 'saga task pack');
    const packReply = one(spans, 'saga reply parcel pack');
    const ship = one(spans, 'saga task ship');
    const shipReply = one(spans, 'saga reply parcel ship');
    expect(parentOf(pack)).toBe(idOf(start));
    expect(parentOf(packReply)).toBe(idOf(pack));
    expect(parentOf(ship)).toBe(idOf(packReply));
    expect(parentOf(shipReply)).toBe(idOf(ship));
    expect(pack.kind).toBe(SpanKind.CONSUMER);
    expect(pack.attributes).toEqual({
      'dta.saga.id': done.sagaId,
      'dta.saga.flow': 'parcel',
      'dta.step': 'packing',
      'dta.task': 'pack',
      'dta.attempt': 1,
    });
    expect(packReply.attributes).toMatchObject({ 'dta.task': 'pack', 'dta.attempt': 1 });
    // The handler's own span nests under the task span.
    expect(parentOf(one(spans, 'label printer'))).toBe(idOf(pack));
    expect(spans.every((span) => span.status.code !== SpanStatusCode.ERROR)).toBe(true);
  });

  it('emits the saga and step spans once, from their start to their end, with their attributes', async () => {
    const done = await client.run(Parcel, { parcel: 'p3' });

    const spans = await finishedSpans();
    const saga = one(spans, 'saga parcel');
    const packing = one(spans, 'saga step packing');
    const shippingStep = one(spans, 'saga step shipping');
    expect(saga.attributes).toEqual({
      'dta.saga.id': done.sagaId,
      'dta.saga.flow': 'parcel',
      'dta.saga.status': 'completed',
    });
    expect(packing.attributes).toEqual({
      'dta.saga.id': done.sagaId,
      'dta.saga.flow': 'parcel',
      'dta.step': 'packing',
    });
    for (const span of [saga, packing, shippingStep]) {
      const [seconds, nanos] = span.duration;
      expect(seconds * 1e9 + nanos).toBeGreaterThanOrEqual(0);
    }
    const ms = ([seconds, nanos]: [number, number]) => seconds * 1e3 + nanos / 1e6;
    expect(ms(packing.startTime)).toBeGreaterThanOrEqual(ms(saga.startTime));
    expect(ms(shippingStep.startTime)).toBeGreaterThanOrEqual(ms(packing.startTime));
  });

  it('marks a failed task, its failed step and the compensated saga ERROR, and traces the compensation', async () => {
    parcelBehaviour.shipping = 'break down';

    await expect(client.run(Parcel, { parcel: 'p4' })).rejects.toThrow(SagaCompensatedError);

    const spans = await finishedSpans();
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    const ship = one(spans, 'saga task ship');
    expect(ship.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the van broke down' });
    expect(one(spans, 'saga step shipping').status.code).toBe(SpanStatusCode.ERROR);
    expect(one(spans, 'saga parcel').attributes['dta.saga.status']).toBe('compensated');
    expect(one(spans, 'saga parcel').status.code).toBe(SpanStatusCode.ERROR);
    const unpack = one(spans, 'saga compensate pack');
    expect(parentOf(unpack)).toBe(idOf(one(spans, 'saga reply parcel ship')));
    expect(unpack.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('traces a retry’s timer, and sends the retry inside it', async () => {
    await boot({ overrideTaskOptions: { attempts: 2, backoff: { delay: '1ms' } } });
    exporter.reset();
    parcelBehaviour.shipping = 'break down once';

    const done = await client.run(Parcel, { parcel: 'p5' });

    const spans = await finishedSpans();
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    const timer = one(spans, 'saga timer parcel');
    expect(timer.attributes).toEqual({
      'dta.saga.id': done.sagaId,
      'dta.saga.flow': 'parcel',
      'dta.timer': 'task-retry',
      'dta.task': 'ship',
    });
    const [first, second] = named(spans, 'saga task ship').sort(
      (a, b) => Number(a.attributes['dta.attempt']) - Number(b.attributes['dta.attempt']),
    );
    expect(first.status.code).toBe(SpanStatusCode.ERROR);
    expect(second.attributes['dta.attempt']).toBe(2);
    expect(parentOf(second)).toBe(idOf(timer));
    expect(second.status.code).toBe(SpanStatusCode.UNSET);
  });
});

describe('tracing without an SDK', () => {
  it('is off: the API is a no-op and DTA skips its tracing work', () => {
    expect(isTracing()).toBe(false);
  });

  it('names the package’s version as the tracer’s', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    expect(SAGA_VERSION).toBe(manifest.version);
  });
});
