import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type MsgRequest,
  type StoredMsg,
} from '@nats-io/jetstream';
import { startNats, stopNats, type StartedNats } from '../../../../../test/infra/nats-test-server';
import { findExecutable } from '../../../../../test/infra/system-commands';
import { NatsTransport } from './nats.transport';
import type { NatsTransportOptions } from './nats-transport.options';
import type { NatsTopology } from './nats-topology';
import { topicMatches } from '../topic-matches';
import { WIRE_VERSION, type LifecycleEvent } from '../saga-messages';
import { SagaTopology } from '../saga-topology';
import { TransportClosedError } from '../transport-closed.error';
import {
  contractPrefix,
  deferred,
  describeSagaTransportContract,
  eventually,
  type ContractDeadLetter,
} from '../saga-transport.contract';
import { RecordingLogger } from '../testing/recording-logger';
import { sampleStart as start, sampleTask as task } from '../testing/sample-messages';
import { traceLinkage } from '../testing/trace-linkage';
import { withTracingSdk } from '../testing/tracing-sdk';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** A plain NATS connection to look at the server behind the transport's back. */
interface Probe {
  nc: NatsConnection;
  jsm: JetStreamManager;
  js: JetStreamClient;
}

async function openProbe(url = NATS_URL): Promise<Probe> {
  const nc = await connect({ servers: url, name: 'dta-test-probe' });
  const jsm = await jetstreamManager(nc);
  return { nc, jsm, js: jsm.jetstream() };
}

/** Deletes the streams of a prefix (and with them their consumers and messages). */
async function deleteStreams(probe: Probe, nats: NatsTopology): Promise<void> {
  for (const stream of [nats.queuesStream, nats.resultsStream, nats.eventsStream]) {
    await probe.jsm.streams.delete(stream).catch(() => false);
  }
}

/** The queue a test names, shared or instance as the transport sees it. */
function queueOf(nats: NatsTopology, name: string) {
  const instance = name.startsWith(`${nats.names.prefix}.results.`);
  return nats.queue({ name, lifetime: instance ? 'instance' : 'shared' });
}

/** Every message stored on `subject` of `stream` from sequence `from` on, oldest first. */
async function storedMessages(probe: Probe, stream: string, subject: string, from = 1): Promise<StoredMsg[]> {
  const found: StoredMsg[] = [];
  for (let seq = from; ;) {
    // The server takes `next_by_subj` in a stream message get (2.9); the client types only direct gets with it.
    const query = { seq, next_by_subj: subject } as unknown as MsgRequest;
    const message = await probe.jsm.streams.getMessage(stream, query);
    if (!message) return found;
    found.push(message);
    seq = message.seq + 1;
  }
}

function createTransport(prefix: string, options: Partial<NatsTransportOptions> = {}): NatsTransport {
  return new NatsTransport({
    url: NATS_URL,
    prefix,
    redeliveryDelayMs: 50,
    reconnectDelayMs: 100,
    logger: new RecordingLogger(),
    ...options,
  });
}

describeSagaTransportContract('NatsTransport', async ({ prefix, ...settings }) => {
  const transport = createTransport(prefix, settings);
  const nats = transport.streams;
  const probe = await openProbe();
  const dead: ContractDeadLetter[] = [];
  let nextSeq = 1;
  return {
    transport,
    async injectRaw(queue, body, route) {
      // An event subscriber's queue is a consumer of the event stream: bytes reach it under a matching key.
      const subject = route ? nats.eventSubject(route.eventKey) : queueOf(nats, queue).subject;
      await probe.js.publish(subject, body);
    },
    async deadLetters() {
      const { stream, subject } = nats.deadLetterQueue;
      for (const message of await storedMessages(probe, stream, subject, nextSeq)) {
        nextSeq = message.seq + 1;
        dead.push({
          sourceQueue: message.header.get('x-dta-source-queue'),
          reason: message.header.get('x-dta-reason'),
          deliveries: Number(message.header.get('x-dta-deliveries')),
          body: message.string(),
        });
      }
      return [...dead];
    },
    async watchEvents(pattern) {
      const events: LifecycleEvent[] = [];
      const subscription = probe.nc.subscribe(nats.eventSubjects);
      void (async () => {
        for await (const message of subscription) {
          const key = nats.eventKey(message.subject);
          if (key !== undefined && topicMatches(pattern, key)) events.push(message.json<LifecycleEvent>());
        }
      })();
      await probe.nc.flush();
      return () => events;
    },
    async dispose() {
      await transport.close();
      await deleteStreams(probe, nats);
      await probe.nc.close();
    },
  };
});

/** A port nothing listens on now (the kernel's pick). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('NatsTransport on NATS JetStream', () => {
  let prefix: string;
  let names: SagaTopology;
  let probe: Probe;
  const transports: NatsTransport[] = [];
  const open = (options: Partial<NatsTransportOptions> = {}) => {
    const transport = createTransport(prefix, options);
    transports.push(transport);
    return transport;
  };

  beforeEach(async () => {
    prefix = contractPrefix();
    names = new SagaTopology(prefix);
    probe = await openProbe();
  });

  afterEach(async () => {
    await Promise.all(transports.splice(0).map((transport) => transport.close()));
    await deleteStreams(probe, createTransport(prefix).streams);
    await probe.nc.close();
  });

  describe('with an OpenTelemetry SDK registered', () => {
    withTracingSdk();

    it('runs a handler as a child of the span that sent its message (the traceparent header)', async () => {
      const { sender, handler } = await traceLinkage(open());
      expect(handler).toEqual({ ...sender, isRemote: true });
    });
  });

  it('stores JSON with x-request-id, a W3C traceparent derived from the trace id, and a message id', async () => {
    const transport = open();
    const uuid = '0af76519-16cd-43dd-8448-eb211c80319c';
    await transport.sendTask(task(1, 'req-42'));
    await transport.sendTask(task(2, 'req-42'));
    await transport.sendTask(task(3, uuid));
    const { stream, subject } = transport.streams.queue({
      name: names.taskQueue('trip', 'book-hotel'),
      lifetime: 'shared',
    });
    expect(subject).toBe(`${prefix}.q.trip.book-hotel`);
    const got = await storedMessages(probe, stream, subject);
    expect(got).toHaveLength(3);
    expect(got[0].json()).toEqual(task(1, 'req-42'));
    expect(got[0].header.get('x-request-id')).toBe('req-42');
    // Each send has an id of its own (a publish retried after a lost acknowledgement keeps it).
    const ids = got.map((m) => m.header.get('Nats-Msg-Id'));
    expect(new Set(ids).size).toBe(3);
    const parent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;
    const [first, second, third] = got.map((m) => parent.exec(m.header.get('traceparent')));
    expect(first).not.toBeNull();
    expect(first?.[1]).toBe(second?.[1]);
    expect(first?.[2]).not.toBe(second?.[2]);
    expect(third?.[1]).toBe(uuid.replace(/-/g, ''));
  });

  it('delivers two sends of an identical message: a repeated start or result is asked for again', async () => {
    const transport = open();
    await transport.sendStart(start(1));
    await transport.sendStart(start(1));
    await transport.sendStart(start(2));
    expect(await transport.queuedStarts('trip')).toBe(3);
  });

  it('gives a message its consumer held without acknowledging to the next consumer, as the same delivery', async () => {
    const crashed = open({ ackWaitMs: 1000 });
    const release = deferred();
    let held = 0;
    await crashed.consumeTasks('trip', 'book-hotel', async () => {
      held++;
      await release.promise;
    });
    await crashed.sendTask(task(1));
    await eventually(() => held === 1, 'the message held by the first consumer');
    await crashed.connection?.close(); // it dies: no ack, no nak

    // The next consumer fails every delivery: the dead letter counts the deliveries its handlers saw.
    const seen: string[] = [];
    const next = open({ ackWaitMs: 1000, maxDeliveries: 2 });
    await next.consumeTasks('trip', 'book-hotel', async (m) => {
      seen.push(m.sagaId);
      throw new Error('fails');
    });
    const { stream, subject } = next.streams.deadLetterQueue;
    await eventually(
      async () => (await storedMessages(probe, stream, subject)).length === 1,
      'the redelivery after the ack wait, failed twice',
      10_000,
    );
    release.resolve();
    // The redelivery by JetStream (the first consumer died holding it) used no delivery.
    expect(seen).toEqual(['saga-1', 'saga-1']);
    const [dead] = await storedMessages(probe, stream, subject);
    expect(dead.header.get('x-dta-deliveries')).toBe('2');
  });

  it('keeps a message its handler holds longer than the ack wait from every other consumer (working())', async () => {
    const release = deferred();
    let deliveries = 0;
    let done = 0;
    const handler = async () => {
      deliveries++;
      await release.promise;
      done++;
    };
    await open({ ackWaitMs: 1000 }).consumeTasks('trip', 'book-hotel', handler);
    await open({ ackWaitMs: 1000 }).consumeTasks('trip', 'book-hotel', handler);
    await transports[0].sendTask(task(1));
    await eventually(() => deliveries === 1, 'the first delivery');
    await sleep(2500); // two and a half ack waits
    release.resolve();
    await eventually(() => done === 1, 'the handler to finish');
    await Promise.all(transports.splice(0).map((transport) => transport.close()));
    expect(deliveries).toBe(1);
  });

  it('redelivers a failed message as a copy carrying x-dta-delivery, and dead-letters it with the x-dta headers', async () => {
    const transport = open({ maxDeliveries: 2 });
    const deliveries: number[] = [];
    await transport.consumeTasks('trip', 'book-hotel', async () => {
      deliveries.push(deliveries.length + 1);
      throw new Error('always fails');
    });
    await transport.sendTask(task(1, 'req-7'));
    const { stream, subject } = transport.streams.deadLetterQueue;
    await eventually(
      async () => (await storedMessages(probe, stream, subject)).length === 1,
      'the dead letter',
    );
    const [dead] = await storedMessages(probe, stream, subject);
    expect(deliveries).toEqual([1, 2]);
    expect(dead.json()).toEqual(task(1, 'req-7'));
    expect(dead.header.get('x-dta-deliveries')).toBe('2');
    expect(dead.header.get('x-dta-delivery')).toBe('2');
    expect(dead.header.get('x-dta-source-queue')).toBe(names.taskQueue('trip', 'book-hotel'));
    expect(dead.header.get('x-dta-reason')).toBe('handler failed on 2 deliveries; last error: always fails');
    expect(dead.header.get('x-request-id')).toBe('req-7');
    expect(new Date(dead.header.get('x-dta-dead-lettered-at')).getTime()).not.toBeNaN();
    // Nothing is left in the task queue: every copy was acknowledged.
    expect(await transport.queuedStarts('trip')).toBe(0);
    const queue = transport.streams.queue({
      name: names.taskQueue('trip', 'book-hotel'),
      lifetime: 'shared',
    });
    expect(await storedMessages(probe, queue.stream, queue.subject)).toEqual([]);
  });

  it('reuses the durable consumer of a queue, updated to the settings of the transport that consumes it', async () => {
    const first = open({ ackWaitMs: 5000 });
    const second = open({ ackWaitMs: 7000 });
    const seen: string[] = [];
    await first.consumeTasks('trip', 'book-hotel', async (m) => void seen.push(`first:${m.sagaId}`));
    await second.consumeTasks('trip', 'book-hotel', async (m) => void seen.push(`second:${m.sagaId}`));
    const queue = first.streams.queue({ name: names.taskQueue('trip', 'book-hotel'), lifetime: 'shared' });
    const durables = await probe.jsm.consumers.list(queue.stream).next();
    expect(durables.map((c) => c.name)).toEqual([queue.durable]);
    expect(durables[0].config.ack_wait).toBe(7000 * 1_000_000);
    for (let n = 1; n <= 4; n++) await first.sendTask(task(n));
    await eventually(() => seen.length === 4, 'the tasks, each once');
    expect(seen.map((s) => s.split(':')[1]).sort()).toEqual(['saga-1', 'saga-2', 'saga-3', 'saga-4']);
  });

  it('refuses at once a message larger than the server takes (max_payload)', async () => {
    const transport = open({ publishTimeoutMs: 60_000 });
    await transport.init();
    const maxPayload = transport.connection?.info?.max_payload ?? 1024 * 1024;
    const huge = { ...task(1), input: 'x'.repeat(maxPayload) };
    await expect(transport.sendTask(huge)).rejects.toThrow(/max_payload/);
  });

  it('acknowledges the message whose handler finished during close, and leaves nothing else behind', async () => {
    const transport = open();
    const release = deferred();
    let started = false;
    await transport.consumeTasks('trip', 'book-hotel', async () => {
      started = true;
      await release.promise;
    });
    await transport.sendTask(task(1));
    await eventually(() => started, 'the handler to start');
    const closing = transport.close();
    release.resolve();
    await closing;
    const queue = transport.streams.queue({
      name: names.taskQueue('trip', 'book-hotel'),
      lifetime: 'shared',
    });
    expect(await storedMessages(probe, queue.stream, queue.subject)).toEqual([]);
  });

  it('keeps results for an instance while it is away, on a durable with an inactive threshold', async () => {
    const gateway = open({ instanceQueueExpiresMs: 60_000 });
    await gateway.consumeResults('gw-1', async () => undefined);
    await gateway.close();
    const result = {
      v: WIRE_VERSION,
      sagaId: 'saga-1',
      flow: 'trip',
      traceId: 't-1',
      kind: 'finished',
      status: 'completed',
    } as const;
    await open().sendResult('gw-1', result);
    const got: unknown[] = [];
    const back = open({ instanceQueueExpiresMs: 60_000 });
    await back.consumeResults('gw-1', async (m) => void got.push(m));
    await eventually(() => got.length === 1, 'the result kept for the returning instance');
    expect(got[0]).toEqual(result);
    const queue = back.streams.queue({ name: names.resultQueue('gw-1'), lifetime: 'instance' });
    const info = await probe.jsm.consumers.info(queue.stream, queue.durable);
    expect(info.config.inactive_threshold).toBe(60_000 * 1_000_000);
    const stream = await probe.jsm.streams.info(queue.stream);
    expect(stream.config.max_age).toBe(60_000 * 1_000_000);
  });

  it('drops an event nobody subscribes to, and gives a subscriber only the events of its patterns', async () => {
    const transport = open();
    const event = (type: LifecycleEvent['type'], n: number): LifecycleEvent => ({
      v: WIRE_VERSION,
      sagaId: `saga-${n}`,
      flow: 'trip',
      traceId: `t-${n}`,
      type,
      at: n,
    });
    await transport.publishEvent(event('started', 1));
    const got: string[] = [];
    await transport.consumeEvents('audit', ['*.completed'], async (e) => void got.push(e.sagaId));
    await transport.publishEvent(event('started', 2));
    await transport.publishEvent(event('completed', 3));
    await eventually(() => got.length === 1, 'the completed event');
    expect(got).toEqual(['saga-3']);
    const events = await probe.jsm.streams.info(transport.streams.eventsStream);
    await eventually(
      async () => (await probe.jsm.streams.info(transport.streams.eventsStream)).state.messages === 0,
      'every event acknowledged and gone from the interest stream',
    );
    expect(events.config.retention).toBe('interest');
  });

  it('rejects init when no server answers, and still closes', async () => {
    const transport = open({ url: 'nats://127.0.0.1:1', connectTimeoutMs: 300 });
    await expect(transport.init()).rejects.toThrow();
    await transport.close();
    await expect(transport.sendTask(task(1))).rejects.toThrow(TransportClosedError);
  });

  const withNatsServer = findExecutable('nats-server') ? it : it.skip;
  withNatsServer(
    'loses nothing across a server restart: consumers resume, a send made while down is stored',
    async () => {
      const port = await freePort();
      const stateDir = join(tmpdir(), `dta-nats-restart-${port}`);
      let server: StartedNats | undefined = await startNats(port, stateDir);
      const url = `nats://127.0.0.1:${port}`;
      const own = await openProbe(url);
      try {
        const transport = open({ url, publishTimeoutMs: 30_000 });
        const seen: string[] = [];
        await transport.consumeTasks('trip', 'book-hotel', async (m) => void seen.push(m.sagaId));
        await transport.sendTask(task(1));
        await eventually(() => seen.length === 1, 'the first task');
        await own.nc.close();

        await stopNats(server, { keepData: true });
        server = undefined;
        const sending = transport.sendTask(task(2)); // while the server is down
        server = await startNats(port, stateDir, { keepData: true });
        await sending;
        await transport.sendTask(task(3));
        await eventually(() => seen.length === 3, 'the tasks sent during and after the restart', 20_000);
        expect(seen).toEqual(['saga-1', 'saga-2', 'saga-3']);
        await transport.close();
      } finally {
        if (!own.nc.isClosed()) await own.nc.close();
        if (server) await stopNats(server);
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
