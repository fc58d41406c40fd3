import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { RabbitMqTransport } from './rabbitmq.transport';
import type { RabbitMqTransportConnectOptions } from './rabbitmq-transport.options';
import {
  WIRE_VERSION,
  type LifecycleEvent,
  type ReplyMessage,
  type ResultMessage,
  type WorkerReply,
} from '../saga-messages';
import { SagaTopology } from '../saga-topology';
import { TransportClosedError } from '../transport-closed.error';
import {
  contractExchanges,
  contractPrefix,
  contractQueues,
  deferred,
  describeSagaTransportContract,
  eventually,
  type ContractDeadLetter,
} from '../saga-transport.contract';
import { RecordingLogger } from '../testing/recording-logger';
import { sampleTask as task } from '../testing/sample-messages';
import { traceLinkage } from '../testing/trace-linkage';
import { withTracingSdk } from '../testing/tracing-sdk';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** A plain amqplib connection to look at the broker behind the transport's back. */
async function openProbe(): Promise<{ model: ChannelModel; channel: Channel }> {
  const model = await connect(AMQP_URL);
  const channel = await model.createConfirmChannel();
  channel.on('error', () => undefined); // a failed call rejects with the same error
  return { model, channel };
}

/** Deletes every queue and exchange a test may have created under `prefix`. */
async function deleteTopology(model: ChannelModel, prefix: string): Promise<void> {
  const channel = await model.createChannel();
  channel.on('error', () => undefined);
  for (const queue of contractQueues(prefix)) await channel.deleteQueue(queue);
  for (const exchange of contractExchanges(prefix)) await channel.deleteExchange(exchange);
  await channel.close();
}

function header(message: GetMessage, name: string): string {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  return String(headers[name]);
}

function createTransport(prefix: string, options: Partial<RabbitMqTransportConnectOptions> = {}) {
  return new RabbitMqTransport({
    url: AMQP_URL,
    prefix,
    redeliveryDelayMs: 50,
    reconnectDelayMs: 100,
    logger: new RecordingLogger(),
    ...options,
  });
}

describeSagaTransportContract('RabbitMqTransport', async ({ prefix, ...settings }) => {
  const transport = createTransport(prefix, settings);
  const { model, channel } = await openProbe();
  const names = new SagaTopology(prefix);
  const dead: ContractDeadLetter[] = [];
  return {
    transport,
    async injectRaw(queue, body) {
      channel.sendToQueue(queue, Buffer.from(body), { persistent: true });
      await (channel as unknown as { waitForConfirms(): Promise<void> }).waitForConfirms();
    },
    async deadLetters() {
      for (;;) {
        const message = await channel.get(names.deadLetterQueue, { noAck: true });
        if (!message) return [...dead];
        dead.push({
          sourceQueue: header(message, 'x-dta-source-queue'),
          reason: header(message, 'x-dta-reason'),
          deliveries: Number(header(message, 'x-dta-deliveries')),
          body: message.content.toString('utf8'),
        });
      }
    },
    async watchEvents(pattern) {
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
      await channel.bindQueue(queue, names.eventsExchange, pattern);
      const events: LifecycleEvent[] = [];
      await channel.consume(
        queue,
        (message) => {
          if (message) events.push(JSON.parse(message.content.toString('utf8')) as LifecycleEvent);
        },
        { noAck: true },
      );
      return () => events;
    },
    async dispose() {
      await transport.close();
      await deleteTopology(model, prefix);
      await model.close();
    },
  };
});

function result(n: number): ResultMessage {
  return {
    v: WIRE_VERSION,
    sagaId: `saga-${n}`,
    flow: 'trip',
    traceId: `t-${n}`,
    kind: 'finished',
    status: 'completed',
  };
}

function reply(n: number): WorkerReply {
  return {
    v: WIRE_VERSION,
    sagaId: `saga-${n}`,
    flow: 'trip',
    traceId: `t-${n}`,
    kind: 'run',
    task: 'book-hotel',
    attempt: 1,
    ok: true,
    output: n,
  };
}

/** The TCP socket under the transport's current connection. */
function socketOf(transport: RabbitMqTransport): Socket {
  const model = transport.connection.managedConnection.connection;
  const socket = (model?.connection as unknown as { stream?: Socket } | undefined)?.stream;
  if (!socket) throw new Error('the transport is not connected');
  return socket;
}

describe('RabbitMqTransport on RabbitMQ', () => {
  let prefix: string;
  let names: SagaTopology;
  let probe: { model: ChannelModel; channel: Channel };
  const transports: RabbitMqTransport[] = [];
  const open = (options: Partial<RabbitMqTransportConnectOptions> = {}) => {
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
    await deleteTopology(probe.model, prefix);
    await probe.model.close();
  });

  describe('with an OpenTelemetry SDK registered', () => {
    withTracingSdk();

    it('runs a handler as a child of the span that sent its message (the traceparent header)', async () => {
      const { sender, handler } = await traceLinkage(open());
      expect(handler).toEqual({ ...sender, isRemote: true });
    });
  });

  it('sends persistent JSON with x-request-id and a W3C traceparent derived from the trace id', async () => {
    const transport = open();
    const uuid = '0af76519-16cd-43dd-8448-eb211c80319c';
    await transport.sendTask(task(1, 'req-42'));
    await transport.sendTask(task(2, 'req-42'));
    await transport.sendTask(task(3, uuid));
    const queue = names.taskQueue('trip', 'book-hotel');
    const got: GetMessage[] = [];
    for (let i = 0; i < 3; i++) {
      const message = await probe.channel.get(queue, { noAck: true });
      if (!message) throw new Error(`message ${i + 1} missing`);
      got.push(message);
    }
    expect(JSON.parse(got[0].content.toString('utf8'))).toEqual(task(1, 'req-42'));
    expect(got[0].properties.deliveryMode).toBe(2);
    expect(got[0].properties.contentType).toBe('application/json');
    expect(header(got[0], 'x-request-id')).toBe('req-42');
    const parent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;
    const [first, second, third] = got.map((m) => parent.exec(header(m, 'traceparent')));
    expect(first).not.toBeNull();
    expect(first?.[1]).toBe(second?.[1]);
    expect(first?.[2]).not.toBe(second?.[2]);
    expect(third?.[1]).toBe(uuid.replace(/-/g, ''));
  });

  it('has the message in its queue, and persisted, as soon as send resolves (publisher confirms)', async () => {
    const transport = open();
    for (let n = 1; n <= 20; n++) await transport.sendTask(task(n));
    const { messageCount } = await probe.channel.checkQueue(names.taskQueue('trip', 'book-hotel'));
    expect(messageCount).toBe(20);
  });

  it('turns TCP_NODELAY on for its socket, and again after reconnecting', async () => {
    // amqplib applies the `noDelay` socket option with socket.setNoDelay() once connected.
    const setNoDelay = jest.spyOn(Socket.prototype, 'setNoDelay');
    try {
      const transport = open();
      await transport.init();
      const first = socketOf(transport);
      first.destroy(new Error('simulated network failure'));
      const current = () => transport.connection.managedConnection.connection?.connection;
      await eventually(() => current() !== undefined && socketOf(transport) !== first, 'a new connection');
      const second = socketOf(transport);
      for (const socket of [first, second]) {
        const calls = setNoDelay.mock.contexts.flatMap((context, i) => (context === socket ? [i] : []));
        expect(calls.map((i) => setNoDelay.mock.calls[i][0])).toEqual([true]);
      }
    } finally {
      setNoDelay.mockRestore();
    }
  });

  it('keeps results for an instance while it is away, in a queue with x-expires that is neither exclusive nor auto-delete', async () => {
    const gateway = open({ instanceQueueExpiresMs: 60_000 });
    await gateway.consumeResults('gw-1', async () => undefined);
    await gateway.close();

    await open().sendResult('gw-1', result(1));

    const got: ResultMessage[] = [];
    await open({ instanceQueueExpiresMs: 60_000 }).consumeResults('gw-1', async (m) => void got.push(m));
    await eventually(() => got.length === 1, 'the result kept for the returning instance');
    expect(got[0]).toEqual(result(1));
    // Redeclaring with other arguments fails: the queue has exactly these.
    await expect(
      probe.channel.assertQueue(names.resultQueue('gw-1'), {
        durable: true,
        exclusive: false,
        autoDelete: false,
        arguments: { 'x-expires': 60_000 },
      }),
    ).resolves.toMatchObject({ queue: names.resultQueue('gw-1') });
  });

  describe('replies sent back to the orchestrator replica whose command they answer', () => {
    const replicaQueue = (instance: string) => names.replicaReplyQueue('trip', instance);
    const collect = () => {
      const got: ReplyMessage[] = [];
      return {
        got,
        sagaIds: () => got.map((m) => m.sagaId).sort(),
        handler: async (m: ReplyMessage) => void got.push(m),
      };
    };

    it('reach that replica only, while the shared queue still feeds every replica', async () => {
      const first = collect();
      const second = collect();
      await open().consumeReplies('trip', first.handler, { replica: 'gw-1' });
      await open().consumeReplies('trip', second.handler, { replica: 'gw-2' });
      const worker = open();
      for (let n = 1; n <= 8; n++) await worker.sendReply(reply(n), n <= 4 ? 'gw-1' : 'gw-2');
      await eventually(() => first.got.length + second.got.length === 8, 'eight replies');
      expect(first.sagaIds()).toEqual(['saga-1', 'saga-2', 'saga-3', 'saga-4']);
      expect(second.sagaIds()).toEqual(['saga-5', 'saga-6', 'saga-7', 'saga-8']);

      // Without a replica (an operator's action, a worker of an earlier version): either replica may take it.
      for (let n = 9; n <= 16; n++) await worker.sendReply(reply(n));
      await eventually(() => first.got.length + second.got.length === 16, 'sixteen replies');
    });

    it('move on to the shared queue after replyAffinityMs in the queue of a replica that is gone', async () => {
      const gone = open({ replyAffinityMs: 300 });
      await gone.consumeReplies('trip', async () => undefined, { replica: 'gw-2' });
      await gone.close();
      const worker = open();
      await worker.sendReply(reply(1), 'gw-2');
      // Confirmed: it waits in the replica's queue, which nobody consumes now.
      await expect(probe.channel.checkQueue(replicaQueue('gw-2'))).resolves.toMatchObject({
        messageCount: 1,
      });

      const live = collect();
      await open({ replyAffinityMs: 300 }).consumeReplies('trip', live.handler, { replica: 'gw-1' });
      await eventually(() => live.got.length === 1, 'the reply taken from the shared queue');
      expect(live.got[0]).toEqual(reply(1));
      await expect(probe.channel.checkQueue(replicaQueue('gw-2'))).resolves.toMatchObject({
        messageCount: 0,
      });
    });

    it("reach the shared queue at once when the replica's queue does not exist, and create none", async () => {
      const live = collect();
      await open().consumeReplies('trip', live.handler, { replica: 'gw-1' });
      await open().sendReply(reply(1), 'gw-2');
      await eventually(() => live.got.length === 1, 'the reply, through the alternate exchange');
      await expect(probe.channel.checkQueue(replicaQueue('gw-2'))).rejects.toThrow(/404/);
    });

    it('all go to the shared queue with replyAffinityMs 0, and no replica queue is declared', async () => {
      const live = collect();
      await open({ replyAffinityMs: 0 }).consumeReplies('trip', live.handler, { replica: 'gw-1' });
      await open({ replyAffinityMs: 0 }).sendReply(reply(1), 'gw-1');
      await eventually(() => live.got.length === 1, 'the reply');
      await expect(probe.channel.checkQueue(replicaQueue('gw-1'))).rejects.toThrow(/404/);
    });

    it('refuses a replyAffinityMs that the replica queue would not outlive', () => {
      expect(() => createTransport(prefix, { replyAffinityMs: 600_000 })).toThrow(
        /replyAffinityMs must be a whole number of ms from 0 to less than instanceQueueExpiresMs \(600000\), got 600000/,
      );
      expect(() => createTransport(prefix, { replyAffinityMs: -1 })).toThrow(/got -1/);
    });
  });

  it('acknowledges the message whose handler finished during close, and requeues nothing else', async () => {
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
    await sleep(20);
    release.resolve();
    await closing;
    const { messageCount } = await probe.channel.checkQueue(names.taskQueue('trip', 'book-hotel'));
    expect(messageCount).toBe(0);
  });

  it('acknowledges deliveries that finish out of order, each once: none comes back after close', async () => {
    const transport = open();
    const releases = Array.from({ length: 8 }, () => deferred());
    const seen: string[] = [];
    await transport.consumeTasks(
      'trip',
      'book-hotel',
      async (m) => {
        seen.push(m.sagaId);
        await releases[Number(m.sagaId.slice('saga-'.length)) - 1].promise;
      },
      { prefetch: 8 },
    );
    for (let i = 1; i <= 8; i++) await transport.sendTask(task(i));
    await eventually(() => seen.length === 8, 'all eight deliveries');
    // The last first, then the odd ones, then the rest: acks that cannot all be one `multiple` ack.
    for (const i of [8, 1, 3, 5, 7, 2, 4, 6]) {
      releases[i - 1].resolve();
      await sleep(5);
    }
    await transport.close();
    const { messageCount } = await probe.channel.checkQueue(names.taskQueue('trip', 'book-hotel'));
    expect(messageCount).toBe(0);
    expect(seen).toHaveLength(8);
  });

  it('acknowledges what finished while an older delivery still runs, so a slow handler holds back no prefetch', async () => {
    const transport = open();
    const stuck = deferred();
    const done: string[] = [];
    await transport.consumeTasks(
      'trip',
      'book-hotel',
      async (m) => {
        if (m.sagaId === 'saga-1') await stuck.promise;
        done.push(m.sagaId);
      },
      { prefetch: 2 },
    );
    for (let i = 1; i <= 6; i++) await transport.sendTask(task(i));
    try {
      // With saga-1 unacknowledged, the broker sends the next only once the one before it is acknowledged.
      await eventually(() => done.length === 5, 'the five deliveries behind the stuck one');
    } finally {
      stuck.resolve();
    }
    await eventually(() => done.length === 6, 'the stuck one');
  });

  it('survives a lost connection: the unacknowledged message comes again, consumers and sends resume', async () => {
    const transport = open();
    const seen: string[] = [];
    const hold = deferred();
    await transport.consumeTasks('trip', 'book-hotel', async (m) => {
      seen.push(m.sagaId);
      if (seen.length === 1) await hold.promise;
    });
    await transport.sendTask(task(1));
    await eventually(() => seen.length === 1, 'the first delivery');

    socketOf(transport).destroy(new Error('simulated network failure'));
    hold.resolve(); // its ack goes nowhere: the broker requeues the message
    await eventually(() => seen.length === 2, 'the redelivery after reconnecting');
    await transport.sendTask(task(2));
    await eventually(() => seen.length === 3, 'a message sent after reconnecting');
    expect(seen).toEqual(['saga-1', 'saga-1', 'saga-2']);
  });

  it('queues a send made while disconnected and delivers it once reconnected', async () => {
    const transport = open();
    const seen: string[] = [];
    await transport.consumeTasks('trip', 'book-hotel', async (m) => void seen.push(m.sagaId));
    await transport.sendTask(task(1));
    await eventually(() => seen.length === 1, 'the first delivery');
    socketOf(transport).destroy(new Error('simulated network failure'));
    await transport.sendTask(task(2));
    await eventually(() => seen.length === 2, 'the message sent while disconnected');
    expect(seen).toEqual(['saga-1', 'saga-2']);
  });

  it('consumes again, on a new channel, after its queue was deleted under it', async () => {
    const transport = open();
    const seen: string[] = [];
    await transport.consumeTasks('trip', 'book-hotel', async (m) => void seen.push(m.sagaId));
    const queue = names.taskQueue('trip', 'book-hotel');
    await probe.channel.deleteQueue(queue);
    const consumed = async () => {
      const channel = await probe.model.createChannel();
      channel.on('error', () => undefined);
      const found = await channel.checkQueue(queue).then(
        (ok) => ok.consumerCount === 1,
        () => false,
      );
      await channel.close().catch(() => undefined);
      return found;
    };
    await eventually(consumed, 'the queue declared and consumed again');
    await transport.sendTask(task(1));
    await eventually(() => seen.length === 1, 'a task on the recreated queue');
  });

  it('rejects a consumer whose queue exists with other arguments, and keeps working', async () => {
    await probe.channel.assertQueue(names.startQueue('trip'), { durable: false });
    const transport = open();
    await expect(transport.consumeStarts('trip', async () => undefined)).rejects.toThrow(
      /PRECONDITION_FAILED/,
    );
    const seen: string[] = [];
    await transport.consumeTasks('trip', 'book-hotel', async (m) => void seen.push(m.sagaId));
    await transport.sendTask(task(1));
    await eventually(() => seen.length === 1, 'a task on a healthy queue');
  });

  it('rejects init when no broker answers within connectTimeoutMs, and still closes', async () => {
    const transport = open({ url: 'amqp://guest:guest@127.0.0.1:1', connectTimeoutMs: 300 });
    await expect(transport.init()).rejects.toThrow(/within a timeout of 300ms/);
    await transport.close();
    await expect(transport.sendTask(task(1))).rejects.toThrow(TransportClosedError);
  });

  it('declares quorum queues when asked', async () => {
    const transport = open({ quorumQueues: true });
    const seen: string[] = [];
    await transport.consumeTasks('trip', 'book-hotel', async (m) => void seen.push(m.sagaId));
    await transport.sendTask(task(1));
    await eventually(() => seen.length === 1, 'the task');
    const queue = names.taskQueue('trip', 'book-hotel');
    await expect(
      probe.channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } }),
    ).resolves.toMatchObject({ queue });
  });

  it('runs on a ready AmqpConnection and leaves it open on close', async () => {
    const connection = new AmqpConnection({
      uri: AMQP_URL,
      enableDirectReplyTo: false,
      logger: new RecordingLogger(),
      connectionManagerOptions: { connectionOptions: { noDelay: true } },
    });
    await connection.init();
    try {
      const transport = new RabbitMqTransport({ connection, prefix, logger: new RecordingLogger() });
      const seen: string[] = [];
      await transport.consumeTasks('trip', 'book-hotel', async (m) => void seen.push(m.sagaId));
      await transport.sendTask(task(1));
      await eventually(() => seen.length === 1, 'the task');
      await transport.close();
      expect(connection.connected).toBe(true);
    } finally {
      await connection.close();
    }
  });
});
