import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import { Registry } from 'prom-client';
import request from 'supertest';
import type { App } from 'supertest/types';
import { SagaCompensatedError } from '../errors/saga-outcome.error';
import { HTTP_PLATFORMS, httpTestApp } from '../http/testing/http-test-app';
import { SagaCallbackDispatcher } from '../runtime/saga-callback.dispatcher';
import { SagaClient } from '../runtime/saga.client';
import {
  Parcel,
  PARCEL_PROVIDERS,
  parcelBehaviour,
  resetParcelBehaviour,
} from '../runtime/testing/parcel.flow';
import { SAGA_STORE } from '../saga.constants';
import type { SagaStore } from '../store/saga-store.interface';
import type { SagaTestingOptions } from '../testing/saga-testing.module';
import { WIRE_VERSION } from '../transport/saga-messages';
import { SagaTopology } from '../transport/saga-topology';
import { MemoryTransport } from '../transport/memory/memory.transport';
import { SagaTester } from '../testing/saga-tester';
import { SagaTestingModule } from '../testing/saga-testing.module';
import { SagaMetrics } from './saga-metrics';
import { SagaMetricsModule } from './saga-metrics.module';
import type { SagaMetricsModuleOptions } from './saga-metrics.options';

/** An app that orchestrates the parcel flow and hosts its tasks, serving `GET /metrics` on Express or Fastify. */
function parcelApp(
  options: SagaMetricsModuleOptions = { defaultMetrics: false },
  platform?: FastifyAdapter,
  sagaOptions: SagaTestingOptions = {},
): Promise<INestApplication> {
  return httpTestApp(
    {
      imports: [SagaTestingModule.forRoot(sagaOptions), SagaMetricsModule.forRoot(options)],
      providers: PARCEL_PROVIDERS,
    },
    platform,
    { logger: false },
  );
}

/**
 * The value of the sample `name{labels}` in a scrape in Prometheus' text format, its labels exactly those
 * given; undefined when the scrape has no such sample.
 */
function sample(scrape: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of scrape.split('\n')) {
    const parsed = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (parsed?.[1] !== name) continue;
    const found = Object.fromEntries(
      [...(parsed[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]),
    );
    const wanted = Object.entries(labels);
    if (wanted.length === Object.keys(found).length && wanted.every(([key, value]) => found[key] === value)) {
      return Number(parsed[3]);
    }
  }
  return undefined;
}

/** A content type's media type and parameters, in a fixed order. */
function mediaType(header: string): string[] {
  const [type, ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  return [type, ...parameters.sort()];
}

const flow = 'parcel';

describe.each(HTTP_PLATFORMS)('GET /metrics on %s', (_platform, adapter) => {
  let app: INestApplication;
  let http: App;

  beforeEach(async () => {
    resetParcelBehaviour();
    app = await parcelApp({ defaultMetrics: false }, adapter());
    http = app.getHttpServer() as App;
  });

  afterEach(() => app.close());

  it("answers in Prometheus' text format with the registry's content type, counting a completed saga", async () => {
    await app.get(SagaClient).run(Parcel, { parcel: 'p1' });

    const response = await request(http).get('/metrics').expect(200);

    // Express orders the parameters its own way; Prometheus reads them in any order.
    const contentType = app.get(SagaMetrics).registry.contentType;
    expect(mediaType(response.headers['content-type'])).toEqual(mediaType(contentType));
    const scrape = response.text;
    expect(sample(scrape, 'dta_saga_started_total', { flow })).toBe(1);
    expect(sample(scrape, 'dta_saga_completed_total', { flow })).toBe(1);
    expect(sample(scrape, 'dta_saga_compensated_total', { flow })).toBe(0);
    expect(sample(scrape, 'dta_saga_duration_seconds_count', { flow, status: 'completed' })).toBe(1);
    for (const step of ['packing', 'shipping']) {
      expect(sample(scrape, 'dta_step_duration_seconds_count', { flow, step, status: 'succeeded' })).toBe(1);
    }
    for (const task of ['pack', 'ship']) {
      const labels = { flow, task, kind: 'run', outcome: 'succeeded' };
      expect(sample(scrape, 'dta_task_duration_seconds_count', labels)).toBe(1);
    }
    expect(sample(scrape, 'dta_sagas', { flow, status: 'running' })).toBe(0);
  });
});

describe('SagaMetricsModule (memory transport and store)', () => {
  let app: INestApplication | undefined;

  beforeEach(() => resetParcelBehaviour());
  afterEach(() => app?.close());

  async function scrape(): Promise<string> {
    return (
      await request(app!.getHttpServer() as App)
        .get('/metrics')
        .expect(200)
    ).text;
  }

  it('counts a compensated saga: the refused task, the failed step and the compensation that undid it', async () => {
    app = await parcelApp();
    parcelBehaviour.shipping = 'refuse';

    await expect(app.get(SagaClient).run(Parcel, { parcel: 'p2' })).rejects.toThrow(SagaCompensatedError);

    const text = await scrape();
    expect(sample(text, 'dta_saga_started_total', { flow })).toBe(1);
    expect(sample(text, 'dta_saga_compensated_total', { flow })).toBe(1);
    expect(sample(text, 'dta_saga_completed_total', { flow })).toBe(0);
    expect(sample(text, 'dta_saga_duration_seconds_count', { flow, status: 'compensated' })).toBe(1);
    expect(
      sample(text, 'dta_step_duration_seconds_count', { flow, step: 'shipping', status: 'failed' }),
    ).toBe(1);
    const ship = { flow, task: 'ship', kind: 'run', outcome: 'rejected' };
    expect(sample(text, 'dta_task_duration_seconds_count', ship)).toBe(1);
    const unpack = { flow, task: 'pack', kind: 'compensate', outcome: 'succeeded' };
    expect(sample(text, 'dta_task_duration_seconds_count', unpack)).toBe(1);
  });

  it('puts a task attempt in the buckets of its duration, in seconds', async () => {
    app = await parcelApp();
    const attempt = { flow, step: 'packing', task: 'pack', kind: 'run' } as const;

    app.get(SagaMetrics).taskAttemptEnded(attempt, 'succeeded', 1_500);

    const text = await scrape();
    const labels = { flow, task: 'pack', kind: 'run', outcome: 'succeeded' };
    expect(sample(text, 'dta_task_duration_seconds_bucket', { ...labels, le: '1' })).toBe(0);
    expect(sample(text, 'dta_task_duration_seconds_bucket', { ...labels, le: '2.5' })).toBe(1);
    expect(sample(text, 'dta_task_duration_seconds_sum', labels)).toBe(1.5);
  });

  it('counts a callback given up after its last attempt', async () => {
    app = await parcelApp(undefined, undefined, { callbackAllowPrivate: true });
    const envelope = { v: WIRE_VERSION, sagaId: 's1', flow, traceId: 't1' } as const;
    const result = { ...envelope, kind: 'finished', status: 'completed', result: {} } as const;
    // Nothing listens on port 1: every attempt fails at once; 1 ms between attempts, doubling.
    const callback = { ...envelope, url: 'http://127.0.0.1:1/done', result };

    await expect(app.get(SagaCallbackDispatcher).deliver(callback, 1)).rejects.toThrow('failed 10 times');

    expect(sample(await scrape(), 'dta_callback_failures_total', { flow })).toBe(1);
  });

  it('reads the sagas in each open status from the store at each scrape', async () => {
    app = await parcelApp();
    let release: () => void = () => undefined;
    parcelBehaviour.gate = new Promise<void>((resolve) => (release = resolve));

    const { sagaId } = await app.get(SagaClient).start(Parcel, { parcel: 'p3' });

    const running = await scrape();
    expect(sample(running, 'dta_sagas', { flow, status: 'running' })).toBe(1);
    expect(sample(running, 'dta_sagas', { flow, status: 'compensating' })).toBe(0);
    expect(sample(running, 'dta_sagas', { flow, status: 'stalled' })).toBe(0);
    // Terminal sagas are counted by the counters, not the gauge.
    expect(sample(running, 'dta_sagas', { flow, status: 'completed' })).toBeUndefined();
    release();
    await app.get(SagaTester).settled(sagaId);
    expect(sample(await scrape(), 'dta_sagas', { flow, status: 'running' })).toBe(0);
  });

  it('reads the age of the oldest unpublished outbox from the store, in its clock, and 0 once none is left', async () => {
    app = await parcelApp();
    const store = app.get<SagaStore>(SAGA_STORE);
    // A publisher that never clears what it published: the saga's first outbox stays.
    const clear = jest.spyOn(store, 'clearOutbox').mockResolvedValue(undefined);
    await app.get(SagaClient).run(Parcel, { parcel: 'p8' });
    const oldest = await store.oldestOutboxAt();
    expect(oldest).toBeDefined();
    jest.spyOn(store, 'time').mockResolvedValue(oldest! + 90_000);
    expect(sample(await scrape(), 'dta_outbox_oldest_age_seconds')).toBe(90);

    clear.mockRestore();
    for (const { sagaId, version } of await store.pendingOutboxes(Number.MAX_SAFE_INTEGER, 100)) {
      await store.clearOutbox(sagaId, version);
    }
    await expect(store.oldestOutboxAt()).resolves.toBeUndefined();
    expect(sample(await scrape(), 'dta_outbox_oldest_age_seconds')).toBe(0);
  });

  it("reads what waits on each of the flow's queues, and the dead letters, from the broker at each scrape", async () => {
    // One pack at a time, held: the second saga's pack command waits on its queue.
    app = await parcelApp(undefined, undefined, { prefetch: 1 });
    let release: () => void = () => undefined;
    parcelBehaviour.gate = new Promise<void>((resolve) => (release = resolve));
    const client = app.get(SagaClient);
    const started = [
      await client.start(Parcel, { parcel: 'p6' }),
      await client.start(Parcel, { parcel: 'p7' }),
    ];
    const names = new SagaTopology('dta');
    const queued = (text: string, queue: string) => sample(text, 'dta_queue_messages', { queue });

    const held = await scrape();
    expect(queued(held, names.taskQueue(flow, 'pack'))).toBe(1);
    for (const queue of [names.startQueue(flow), names.throttledQueue(flow), names.taskQueue(flow, 'ship')]) {
      expect(queued(held, queue)).toBe(0);
    }
    expect(queued(held, names.replyQueue(flow))).toBeDefined();
    expect(sample(held, 'dta_dead_letter_messages', { queue: names.deadLetterQueue })).toBe(0);

    release();
    for (const { sagaId } of started) await app.get(SagaTester).settled(sagaId);
    expect(queued(await scrape(), names.taskQueue(flow, 'pack'))).toBe(0);
  });

  it('answers without the queue depths, and with every other metric, while the broker does not answer', async () => {
    app = await parcelApp();
    await app.get(SagaClient).run(Parcel, { parcel: 'p7' });
    // The testing transport is a proxy over MemoryTransport: its methods are the class's, bound.
    jest.spyOn(MemoryTransport.prototype, 'queueDepths').mockRejectedValue(new Error('channel closed'));

    const text = await scrape();

    expect(text).not.toMatch(/^dta_queue_messages\{/m);
    expect(text).not.toMatch(/^dta_dead_letter_messages\{/m);
    expect(sample(text, 'dta_saga_completed_total', { flow })).toBe(1);
  });

  it('answers without dta_sagas, and with every other metric, while the store is down', async () => {
    app = await parcelApp();
    await app.get(SagaClient).run(Parcel, { parcel: 'p4' });
    const store = app.get<SagaStore>(SAGA_STORE);
    jest.spyOn(store, 'count').mockRejectedValue(new Error('connection refused'));
    jest.spyOn(store, 'time').mockRejectedValue(new Error('connection refused'));

    const text = await scrape();

    expect(sample(text, 'dta_sagas', { flow, status: 'running' })).toBeUndefined();
    expect(sample(text, 'dta_outbox_oldest_age_seconds')).toBeNaN();
    expect(sample(text, 'dta_saga_completed_total', { flow })).toBe(1);
  });

  it("names the metrics with `prefix`, serves the given registry, and adds prom-client's default metrics", async () => {
    const registry = new Registry();
    app = await parcelApp({ prefix: 'shop_', registry });
    await app.get(SagaClient).run(Parcel, { parcel: 'p5' });

    const text = await scrape();

    expect(sample(text, 'shop_saga_completed_total', { flow })).toBe(1);
    expect(sample(text, 'dta_saga_completed_total', { flow })).toBeUndefined();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(registry.getSingleMetric('shop_saga_completed_total')).toBeDefined();
  });

  it('leaves a shared registry free for the next app once closed', async () => {
    const registry = new Registry();
    const first = await parcelApp({ defaultMetrics: false, registry });
    await first.close();

    app = await parcelApp({ defaultMetrics: false, registry });

    expect(sample(await scrape(), 'dta_saga_started_total', { flow })).toBe(0);
  });
});

describe('prom-client', () => {
  /** The library's source files outside `metrics/`, specs aside. */
  function coreFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'metrics' ? [] : coreFiles(path);
      return /\.ts$/.test(entry.name) && !/\.(spec|int-spec)\.ts$/.test(entry.name) ? [path] : [];
    });
  }

  it('is imported by @dta/saga/metrics only, so that the core runs without it', () => {
    const importers = coreFiles(join(__dirname, '..')).filter((file) =>
      /from ['"]prom-client['"]|require\(['"]prom-client['"]\)/.test(readFileSync(file, 'utf8')),
    );
    expect(importers).toEqual([]);
  });
});
