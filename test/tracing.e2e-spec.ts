import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Test, type TestingModule } from '@nestjs/testing';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SagaClient, SagaModule } from '@dta/saga';
import { AMQP_URL, REDIS_URL } from './support/e2e-infra';
import { deleteBrokerTopology, deleteRedisKeys } from './support/infra-cleanup';
import { READY_LINE, SPANS_LINE, type SpanRecord, spanRecord } from './support/tracing/span-record';
import { Parcel, ParcelSaga } from './support/tracing/tracing.flow';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..');
const WORKER = join(__dirname, 'support/tracing/tracing-worker.ts');
const WATCHDOG = join(__dirname, 'support/distributed/parent-watchdog.js');

/** The worker process, its lines read as they come: ready once, then its spans when told to stop. */
class TracingWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly output: string[] = [];
  private readonly ready: Promise<void>;
  private readonly spans: Promise<SpanRecord[]>;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', WORKER],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          ...env,
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${WATCHDOG}`.trim(),
        },
      },
    );
    this.child.stderr.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    const lines = createInterface({ input: this.child.stdout });
    const exited = once(this.child, 'exit').then(([code]) => {
      throw new Error(`the tracing worker exited (${String(code)}): ${this.output.join('')}`);
    });
    exited.catch(() => undefined);
    const line = (match: (line: string) => boolean) =>
      Promise.race([
        new Promise<string>((resolve) =>
          lines.on('line', (text) => (match(text) ? resolve(text) : this.output.push(`${text}\n`))),
        ),
        exited,
      ]);
    this.ready = line((text) => text === READY_LINE).then(() => undefined);
    this.spans = line((text) => text.startsWith(SPANS_LINE)).then(
      (text) => JSON.parse(text.slice(SPANS_LINE.length)) as SpanRecord[],
    );
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Stops the worker and resolves with the spans it finished. */
  stop(): Promise<SpanRecord[]> {
    this.child.stdin.write('stop\n');
    return this.spans;
  }

  /** Kills it if it is still running. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}

/*
 * The orchestrator and the caller run here, the tasks in a child process with an SDK of its own: the trace
 * crosses RabbitMQ twice per task, carried by the messages' `traceparent` headers only.
 */
describe('OpenTelemetry traces across two processes on RabbitMQ', () => {
  const prefix = `dta-tracing-${randomBytes(4).toString('hex')}`;
  const instances = { orchestrator: `${prefix}-orchestrator`, worker: `${prefix}-worker` };
  const exporter = new InMemorySpanExporter();
  let worker: TracingWorker;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();
    worker = new TracingWorker({
      AMQP_URL,
      REDIS_URL,
      SAGA_PREFIX: prefix,
      SAGA_INSTANCE_ID: instances.worker,
    });
    await worker.whenReady();
    moduleRef = await Test.createTestingModule({
      imports: [
        SagaModule.forRoot({
          transport: 'rabbitmq',
          store: 'redis',
          amqpUrl: AMQP_URL,
          redisUrl: REDIS_URL,
          prefix,
          instanceId: instances.orchestrator,
          workers: false,
        }),
      ],
      providers: [ParcelSaga],
    }).compile();
    await moduleRef.init();
  });

  afterAll(async () => {
    await moduleRef?.close();
    await worker?.kill();
    trace.disable();
    context.disable();
    propagation.disable();
    const tasks = Object.values(Parcel.task).map((t) => t.name);
    await deleteBrokerTopology('rabbitmq', prefix, { name: Parcel.name, tasks }, [
      instances.orchestrator,
      instances.worker,
    ]);
    await deleteRedisKeys(REDIS_URL, prefix);
  });

  it('links the worker’s task spans to the orchestrator’s spans that sent them, and back', async () => {
    const client = moduleRef!.get(SagaClient);
    const caller = trace.getTracer('parcel-gateway');

    const done = await caller.startActiveSpan('POST /parcels', async (span) => {
      try {
        return await client.run(Parcel, { parcel: 'p1' });
      } finally {
        span.end();
      }
    });
    const workerSpans = await worker.stop();
    await moduleRef!.close();
    moduleRef = undefined;
    const here = exporter.getFinishedSpans().map(spanRecord);

    const one = (spans: SpanRecord[], name: string) => {
      const found = spans.filter((span) => span.name === name);
      expect(found.map((span) => span.name)).toEqual([name]);
      return found[0];
    };
    const http = one(here, 'POST /parcels');
    const traceId = http.traceId;
    expect(done.traceId).toBe(traceId);
    expect(new Set([...here, ...workerSpans].map((span) => span.traceId))).toEqual(new Set([traceId]));

    const start = one(here, 'saga start parcel');
    expect(start.parentSpanId).toBe(http.spanId);
    const pack = one(workerSpans, 'saga task pack');
    const packReply = one(here, 'saga reply parcel pack');
    const ship = one(workerSpans, 'saga task ship');
    const shipReply = one(here, 'saga reply parcel ship');
    // Orchestrator -> worker: each task span's parent is the orchestrator span that sent its command.
    expect(pack.parentSpanId).toBe(start.spanId);
    expect(ship.parentSpanId).toBe(packReply.spanId);
    // Worker -> orchestrator: each reply span's parent is the task span that sent the reply.
    expect(packReply.parentSpanId).toBe(pack.spanId);
    expect(shipReply.parentSpanId).toBe(ship.spanId);
    expect(pack).toMatchObject({
      kind: SpanKind.CONSUMER,
      status: SpanStatusCode.UNSET,
      attributes: {
        'dta.saga.id': done.sagaId,
        'dta.saga.flow': Parcel.name,
        'dta.step': 'packing',
        'dta.task': 'pack',
        'dta.attempt': 1,
      },
    });
    expect(one(workerSpans, 'label printer').parentSpanId).toBe(pack.spanId);
    expect(one(here, `saga ${Parcel.name}`).attributes).toMatchObject({
      'dta.saga.id': done.sagaId,
      'dta.saga.status': 'completed',
    });
    expect(
      here
        .filter((span) => span.name.startsWith('saga step '))
        .map((span) => span.name)
        .sort(),
    ).toEqual(['saga step packing', 'saga step shipping']);
  });
});
