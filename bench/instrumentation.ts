import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import Redis from 'ioredis';
import type { Declared, IoCounts, WireServer } from './ipc';

type Method = (this: unknown, ...args: unknown[]) => unknown;
type SendCommand = (this: Redis, command: { name: string; args: unknown[] }, ...rest: unknown[]) => unknown;
type DefineCommand = (this: Redis, name: string, definition: { lua: string }) => unknown;
type Prototype = { prototype: Record<string, Method> };

/** Replaces `proto[name]` by a function that first calls `before` with the arguments. */
function tap(proto: Record<string, Method>, name: string, before: (args: unknown[]) => void): void {
  const original = proto[name];
  proto[name] = function (this: unknown, ...args: unknown[]) {
    before(args);
    return original.apply(this, args);
  };
}

/**
 * Counts what this process sends: every AMQP publish (amqplib's base `Channel.publish`, which confirm channels,
 * `sendToQueue` and golevelup all end in), every JetStream publish when the process is on NATS
 * (`BENCH_TRANSPORT=nats`: `JetStreamClient.publish`, which `NatsTransport` sends, redelivers and dead-letters
 * with; acknowledgements and pull requests are not counted, as AMQP acks are not) and every Redis command by
 * name (ioredis `sendCommand`, which pipelines and MULTI go through too), the bytes on its connections to
 * RabbitMQ, Redis and NATS (see {@link countWireBytes}), and records the queues and exchanges it declares, so
 * that the bench deletes exactly those. For the bench's own children only.
 */
export function instrumentChild(): { io: () => IoCounts; declared: () => Declared } {
  const io: IoCounts = { amqpPublishes: 0, natsPublishes: 0, redisCommands: {}, wireBytes: zeroBytes() };
  const wireBytes = countWireBytes();
  const declared = { queues: new Set<string>(), exchanges: new Set<string>() };
  const load = createRequire(__filename);
  // Not for BullMQ (`BENCH_TRANSPORT=redis`), which has no broker: amqplib would only add to its memory.
  if (process.env.BENCH_TRANSPORT !== 'redis') {
    const channel = (load('amqplib/lib/channel_model') as { Channel: Prototype }).Channel.prototype;
    tap(channel, 'publish', () => io.amqpPublishes++);
    tap(channel, 'assertQueue', ([queue]) => declared.queues.add(String(queue)));
    tap(channel, 'assertExchange', ([exchange]) => declared.exchanges.add(String(exchange)));
  }
  // Only on NATS: loading the client elsewhere (the ceiling) would add to the process's memory.
  if (process.env.BENCH_TRANSPORT === 'nats') {
    const jetstream = load('@nats-io/jetstream/internal') as { JetStreamClientImpl: Prototype };
    tap(jetstream.JetStreamClientImpl.prototype, 'publish', () => io.natsPublishes++);
  }
  const redis = Redis.prototype as unknown as { sendCommand: SendCommand; defineCommand: DefineCommand };
  // Scripts defined through ioredis (BullMQ's, named `moveToFinished-14:<version>`) are counted by name.
  const scripts = new Map<string, string>();
  const defineCommand = redis.defineCommand;
  redis.defineCommand = function (this: Redis, name: string, definition: { lua: string }) {
    scripts.set(createHash('sha1').update(definition.lua).digest('hex'), name.replace(/(-\d+)?:.*$/, ''));
    return defineCommand.call(this, name, definition);
  };
  const sendCommand = redis.sendCommand;
  redis.sendCommand = function (this: Redis, command: { name: string; args: unknown[] }, ...rest: unknown[]) {
    const script = command.name === 'evalsha' ? scripts.get(String(command.args[0])) : undefined;
    const name = script ? `evalsha ${script}` : command.name;
    io.redisCommands[name] = (io.redisCommands[name] ?? 0) + 1;
    return sendCommand.call(this, command, ...rest);
  };
  return {
    io: () => ({
      amqpPublishes: io.amqpPublishes,
      natsPublishes: io.natsPublishes,
      redisCommands: { ...io.redisCommands },
      wireBytes: wireBytes(),
    }),
    declared: () => ({ queues: [...declared.queues], exchanges: [...declared.exchanges] }),
  };
}

const zeroBytes = (): Record<WireServer, number> => ({ rabbitmq: 0, redis: 0, nats: 0 });

/** The port of a server URL from the child's environment (`AMQP_URL`, ...), or its default. */
function portOf(url: string | undefined, fallback: number): number {
  try {
    return Number(new URL(url ?? '').port) || fallback;
  } catch {
    return fallback;
  }
}

/**
 * Counts the bytes (written + read, as the sockets count them) on every TCP connection this process opens to
 * the servers at `AMQP_URL`, `REDIS_URL` and `NATS_URL`, told apart by port: what went over the wire, protocol
 * framing, acks and confirms included, whatever client library sent it. Closed connections keep counting
 * towards the totals.
 */
function countWireBytes(): () => Record<WireServer, number> {
  const servers = new Map<number, WireServer>([
    [portOf(process.env.AMQP_URL, 5672), 'rabbitmq'],
    [portOf(process.env.REDIS_URL, 6379), 'redis'],
    [portOf(process.env.NATS_URL, 4222), 'nats'],
  ]);
  const sockets: { socket: Socket; server: WireServer }[] = [];
  const proto = Socket.prototype as unknown as { connect: (this: Socket, ...args: unknown[]) => Socket };
  const connect = proto.connect;
  proto.connect = function (this: Socket, ...args: unknown[]) {
    this.once('connect', () => {
      const server = servers.get(this.remotePort ?? 0);
      if (server) sockets.push({ socket: this, server });
    });
    return connect.apply(this, args);
  };
  return () => {
    const bytes = zeroBytes();
    for (const { socket, server } of sockets) bytes[server] += socket.bytesRead + socket.bytesWritten;
    return bytes;
  };
}
