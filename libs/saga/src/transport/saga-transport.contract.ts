/// <reference types="jest" />
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Json } from '../vocabulary';
import {
  InvalidMessageError,
  WIRE_VERSION,
  type CallbackMessage,
  type LifecycleEvent,
  type ReplyMessage,
  type WorkerReply,
  type ResultMessage,
  type StartMessage,
  type TaskMessage,
} from './saga-messages';
import { SagaTopology } from './saga-topology';
import { wireChecked } from '../wire/wire-checked.transport';
import type { MessageHandler, SagaTransport } from './saga-transport.interface';
import { TransientFaultError } from '../vocabulary';
import { TransportClosedError } from './transport-closed.error';

/** Flows, tasks and caller instances the contract uses: their queues are all a subject must clean up. */
export const CONTRACT_FLOWS = ['trip', 'other'] as const;
export const CONTRACT_TASKS = ['book-hotel', 'book-car'] as const;
export const CONTRACT_INSTANCES = ['gw-1', 'gw-2'] as const;
export const CONTRACT_SUBSCRIBERS = ['audit'] as const;

/** Every queue the contract may create under `prefix`. */
export function contractQueues(prefix: string): string[] {
  const names = new SagaTopology(prefix);
  return [
    ...CONTRACT_FLOWS.flatMap((flow) => [
      names.startQueue(flow),
      names.throttledQueue(flow),
      names.replyQueue(flow),
      ...CONTRACT_TASKS.map((task) => names.taskQueue(flow, task)),
    ]),
    ...CONTRACT_INSTANCES.map((instance) => names.resultQueue(instance)),
    ...CONTRACT_FLOWS.flatMap((flow) =>
      CONTRACT_INSTANCES.map((instance) => names.replicaReplyQueue(flow, instance)),
    ),
    ...CONTRACT_SUBSCRIBERS.map((subscriber) => names.eventQueue(subscriber)),
    names.callbackQueue,
    names.deadLetterQueue,
  ];
}

/** Every exchange the contract may create under `prefix`. */
export function contractExchanges(prefix: string): string[] {
  const names = new SagaTopology(prefix);
  return [names.commandsExchange, names.eventsExchange, names.repliesExchange, names.unroutedRepliesExchange];
}

/** A message found in the dead-letter queue. */
export interface ContractDeadLetter {
  sourceQueue: string;
  reason: string;
  /** How many deliveries the message had, the last included. */
  deliveries: number;
  /** The message as it was on its queue. */
  body: string;
}

/**
 * How an injected message reaches an event subscriber's queue on a broker that routes by topic alone (NATS):
 * published under `eventKey`, which the subscriber's patterns match. A broker that can put bytes on the queue
 * itself (RabbitMQ, memory) ignores it.
 */
export interface RawRoute {
  eventKey: string;
}

/** A transport under test and what the contract needs to look inside it. */
export interface SagaTransportContractSubject {
  readonly transport: SagaTransport;
  /** Puts `body` on `queue` as is, bypassing the transport (the queue exists: someone consumes it). */
  injectRaw(queue: string, body: string, route?: RawRoute): Promise<void>;
  /** Every message dead-lettered so far, oldest first. */
  deadLetters(): Promise<ContractDeadLetter[]>;
  /** Records, from now on, the events whose routing key matches the topic `pattern`; returns the record. */
  watchEvents(pattern: string): Promise<() => LifecycleEvent[]>;
  /** Closes the transport and whatever the subject opened, deletes the queues and exchanges of its prefix. */
  dispose(): Promise<void>;
}

export interface SagaTransportContractOptions {
  /** Unique per test, e.g. `dta-test-1a2b3c4d`. */
  prefix: string;
  redeliveryDelayMs: number;
  maxDeliveries: number;
  maxMessageBytes: number;
  maxMessageDepth: number;
}

export type SagaTransportContractFactory = (
  options: SagaTransportContractOptions,
) => Promise<SagaTransportContractSubject>;

/** Polls `check` until it holds, or fails with `what` after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 3000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** A promise and its resolver, to hold a handler until the test lets it go. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Test prefix: unique, so parallel runs and leftovers never meet. */
export function contractPrefix(): string {
  return `dta-test-${randomBytes(4).toString('hex')}`;
}

function collect<M>(): { got: M[]; handler: MessageHandler<M> } {
  const got: M[] = [];
  return { got, handler: async (message) => void got.push(message) };
}

function start(flow: string, n: number): StartMessage {
  return {
    v: WIRE_VERSION,
    sagaId: `saga-${n}`,
    flow,
    traceId: `trace-${n}`,
    input: { customer: 'ada', nights: 3, tags: ['sea', 'quiet'], extras: { late: true, note: null } },
    replyTo: 'gw-1',
  };
}

function task(flow: string, name: string, n: number, kind: 'run' | 'compensate' = 'run'): TaskMessage {
  const message: TaskMessage = {
    v: WIRE_VERSION,
    sagaId: `saga-${n}`,
    flow,
    traceId: `trace-${n}`,
    kind,
    step: 'lodging',
    task: name,
    attempt: 2,
    input: { hotel: 'h-7', nights: 3 },
  };
  return kind === 'compensate' ? { ...message, output: { bookingId: 'b-9' }, outcome: 'unknown' } : message;
}

function reply(flow: string, name: string, n: number, ok: boolean): WorkerReply {
  const envelope = { v: WIRE_VERSION, sagaId: `saga-${n}`, flow, traceId: `trace-${n}` } as const;
  return ok
    ? {
        ...envelope,
        kind: 'run',
        task: name,
        attempt: 1,
        ok: true,
        output: { bookingId: 'b-9', price: 120.5 },
      }
    : {
        ...envelope,
        kind: 'compensate',
        task: name,
        attempt: 3,
        ok: false,
        error: { message: 'no rooms left', name: 'TaskRejectedError' },
        retryable: false,
      };
}

function result(flow: string, n: number): ResultMessage {
  return {
    v: WIRE_VERSION,
    sagaId: `saga-${n}`,
    flow,
    traceId: `trace-${n}`,
    kind: 'finished',
    status: 'compensated',
    failure: { step: 'lodging', task: 'book-hotel', error: { message: 'no rooms left' } },
    compensated: ['create-order'],
  };
}

function lifecycle(flow: string, type: LifecycleEvent['type'], n: number): LifecycleEvent {
  return {
    v: WIRE_VERSION,
    sagaId: `saga-${n}`,
    flow,
    traceId: `trace-${n}`,
    type,
    step: 'lodging',
    at: 1_700_000,
  };
}

function callback(flow: string, n: number): CallbackMessage {
  const { v, sagaId, traceId } = result(flow, n);
  return { v, sagaId, flow, traceId, url: 'http://caller.test/done', result: result(flow, n) };
}

/** Arrays nested `depth` deep around a string. */
function nested(depth: number): Json {
  let value: Json = 'core';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** One kind of channel: how to consume it, its queue, and its messages. */
interface ContractChannel<M extends { sagaId: string } = { sagaId: string }> {
  name: string;
  queue(names: SagaTopology): string;
  consume(transport: SagaTransport, handler: MessageHandler<M>): Promise<void>;
  /** Message `n` of this channel, carrying `payload` where a real message carries data. */
  message(n: number, payload?: Json): M;
  send(transport: SagaTransport, message: M): Promise<void>;
  /** Whether a message sent before anyone consumes waits for its consumer (events wait only once bound). */
  waits: boolean;
  /** How raw bytes reach this channel's queue, for brokers that route events by topic only. */
  route?: RawRoute;
}

/** Erases a channel's message type, so that every channel fits in one table. */
function channel<M extends { sagaId: string }>(spec: ContractChannel<M>): ContractChannel {
  return spec;
}

/** Every channel a consumer takes messages from, each carrying a payload where a real message would. */
const CHANNELS: ContractChannel[] = [
  channel<StartMessage>({
    name: 'start',
    queue: (names) => names.startQueue('trip'),
    consume: (transport, handler) => transport.consumeStarts('trip', handler),
    message: (n, input = start('trip', n).input) => ({ ...start('trip', n), input }),
    send: (transport, message) => transport.sendStart(message),
    waits: true,
  }),
  channel<StartMessage>({
    name: 'throttled start',
    queue: (names) => names.throttledQueue('trip'),
    consume: (transport, handler) => transport.consumeThrottledStarts('trip', handler),
    message: (n, input = start('trip', n).input) => ({ ...start('trip', n), input, throttled: true }),
    send: (transport, message) => transport.sendStart(message),
    waits: true,
  }),
  channel<TaskMessage>({
    name: 'task',
    queue: (names) => names.taskQueue('trip', 'book-hotel'),
    consume: (transport, handler) => transport.consumeTasks('trip', 'book-hotel', handler),
    message: (n, input = task('trip', 'book-hotel', n).input) => ({
      ...task('trip', 'book-hotel', n),
      input,
    }),
    send: (transport, message) => transport.sendTask(message),
    waits: true,
  }),
  channel<ReplyMessage>({
    name: 'reply',
    queue: (names) => names.replyQueue('trip'),
    consume: (transport, handler) => transport.consumeReplies('trip', handler),
    message: (n, output: Json = { bookingId: 'b-9', price: 120.5 }) => ({
      ...reply('trip', 'book-hotel', n, true),
      ok: true,
      output,
    }),
    send: (transport, message) => transport.sendReply(message),
    waits: true,
  }),
  channel<ResultMessage>({
    name: 'result',
    queue: (names) => names.resultQueue('gw-1'),
    consume: (transport, handler) => transport.consumeResults('gw-1', handler),
    message: (n, payload = { bookingId: 'b-9' }) => ({ ...result('trip', n), result: payload }),
    send: (transport, message) => transport.sendResult('gw-1', message),
    waits: true,
  }),
  channel<CallbackMessage>({
    name: 'callback',
    queue: (names) => names.callbackQueue,
    consume: (transport, handler) => transport.consumeCallbacks(handler),
    message: (n, payload = { bookingId: 'b-9' }) => ({
      ...callback('trip', n),
      result: { ...result('trip', n), result: payload },
    }),
    send: (transport, message) => transport.sendCallback(message),
    waits: true,
  }),
  channel<LifecycleEvent>({
    name: 'lifecycle event',
    queue: (names) => names.eventQueue('audit'),
    consume: (transport, handler) => transport.consumeEvents('audit', ['trip.#'], handler),
    // Events carry no payload field; a producer in another language may add one all the same.
    message: (n, payload) =>
      payload === undefined
        ? lifecycle('trip', 'completed', n)
        : ({ ...lifecycle('trip', 'completed', n), payload } as LifecycleEvent),
    send: (transport, message) => transport.publishEvent(message),
    waits: false,
    route: { eventKey: 'trip.completed' },
  }),
];

/**
 * Registers the behaviour every {@link SagaTransport} must have, as one Jest suite. Run it from a spec beside each
 * implementation, with a factory that builds the transport and the probes the suite needs to look inside it.
 * Each test gets a fresh subject on a unique prefix and disposes of it.
 *
 * @example
 * describeSagaTransportContract('MemoryTransport', async ({ prefix, ...settings }) => {
 *   const transport = new MemoryTransport({ prefix, ...settings });
 *   return { transport, injectRaw: ..., deadLetters: ..., watchEvents: ..., dispose: () => transport.close() };
 * });
 */
export function describeSagaTransportContract(name: string, factory: SagaTransportContractFactory): void {
  describe(`SagaTransport contract: ${name}`, () => {
    const redeliveryDelayMs = 50;
    const limits = { maxDeliveries: 3, maxMessageBytes: 4096, maxMessageDepth: 16 };
    let subject: SagaTransportContractSubject;
    let transport: SagaTransport;
    let violations: string[] = [];
    let names: SagaTopology;
    /** Handlers a test holds back; let go after each test so that a failed one does not hang `dispose`. */
    let holds: (() => void)[] = [];
    const hold = () => {
      const held = deferred();
      holds.push(held.resolve);
      return held;
    };

    beforeEach(async () => {
      const prefix = contractPrefix();
      names = new SagaTopology(prefix);
      subject = await factory({ prefix, redeliveryDelayMs, ...limits });
      // Every message sent and delivered in a test is checked against the wire schemas (docs/WIRE.md).
      violations = [];
      transport = wireChecked(subject.transport, violations);
      await transport.init();
    });

    afterEach(async () => {
      holds.forEach((release) => release());
      holds = [];
      await subject.dispose();
      expect(violations).toEqual([]);
    });

    describe('round trips', () => {
      it('delivers a start message to its flow, equal to what was sent when it was sent', async () => {
        const { got, handler } = collect<StartMessage>();
        await transport.consumeStarts('trip', handler);
        const sent = start('trip', 1);
        await transport.sendStart(sent);
        sent.input = 'changed after sending';
        await eventually(() => got.length === 1, 'the start message');
        expect(got[0]).toEqual(start('trip', 1));
      });

      it('never runs a handler inside the send call', async () => {
        const { got, handler } = collect<TaskMessage>();
        await transport.consumeTasks('trip', 'book-hotel', handler);
        const sending = transport.sendTask(task('trip', 'book-hotel', 1));
        expect(got).toHaveLength(0);
        await sending;
        await eventually(() => got.length === 1, 'the task message');
      });

      it('delivers run and compensate task messages with every field', async () => {
        const { got, handler } = collect<TaskMessage>();
        await transport.consumeTasks('trip', 'book-hotel', handler, { prefetch: 1 });
        await transport.sendTask(task('trip', 'book-hotel', 1, 'run'));
        await transport.sendTask(task('trip', 'book-hotel', 2, 'compensate'));
        await eventually(() => got.length === 2, 'two task messages');
        expect(got).toEqual([
          task('trip', 'book-hotel', 1, 'run'),
          task('trip', 'book-hotel', 2, 'compensate'),
        ]);
      });

      it('delivers successful and failed replies to the flow', async () => {
        const { got, handler } = collect<ReplyMessage>();
        await transport.consumeReplies('trip', handler, { prefetch: 1 });
        await transport.sendReply(reply('trip', 'book-hotel', 1, true));
        await transport.sendReply(reply('trip', 'book-hotel', 2, false));
        await eventually(() => got.length === 2, 'two replies');
        expect(got).toEqual([reply('trip', 'book-hotel', 1, true), reply('trip', 'book-hotel', 2, false)]);
      });

      it('delivers a result to the caller instance', async () => {
        const { got, handler } = collect<ResultMessage>();
        await transport.consumeResults('gw-1', handler);
        await transport.sendResult('gw-1', result('trip', 1));
        await eventually(() => got.length === 1, 'the result');
        expect(got[0]).toEqual(result('trip', 1));
      });

      it('keeps messages sent before anyone consumes, in order', async () => {
        await transport.sendTask(task('trip', 'book-car', 1));
        await transport.sendTask(task('trip', 'book-car', 2));
        await transport.sendResult('gw-2', result('trip', 3));
        const tasks = collect<TaskMessage>();
        const results = collect<ResultMessage>();
        await transport.consumeTasks('trip', 'book-car', tasks.handler, { prefetch: 1 });
        await transport.consumeResults('gw-2', results.handler);
        await eventually(() => tasks.got.length === 2 && results.got.length === 1, 'the waiting messages');
        expect(tasks.got.map((m) => m.sagaId)).toEqual(['saga-1', 'saga-2']);
        expect(results.got[0]).toEqual(result('trip', 3));
      });
    });

    describe('queued starts', () => {
      it('counts the starts of a flow ready in its start and throttled queues, not those being handled', async () => {
        expect(await transport.queuedStarts('trip')).toBe(0);
        await transport.sendStart(start('trip', 1));
        await transport.sendStart(start('trip', 2));
        await transport.sendStart({ ...start('trip', 3), throttled: true });
        await transport.sendStart(start('other', 4));
        expect(await transport.queuedStarts('trip')).toBe(3);
        expect(await transport.queuedStarts('other')).toBe(1);

        const release = hold();
        let held = 0;
        await transport.consumeStarts(
          'trip',
          async () => {
            held++;
            await release.promise;
          },
          { prefetch: 2 },
        );
        await eventually(() => held === 2, 'both starts held by their consumer');
        await eventually(async () => (await transport.queuedStarts('trip')) === 1, 'one start still queued');
        release.resolve();
      });
    });

    describe('queue depths', () => {
      it("counts what is ready on each of a flow's queues, and the dead letters", async () => {
        const { got, handler } = collect<TaskMessage>();
        await transport.sendStart(start('trip', 1));
        await transport.sendTask(task('trip', 'book-hotel', 1));
        await transport.sendTask(task('trip', 'book-hotel', 2));
        await transport.sendTask(task('other', 'book-hotel', 3));
        await transport.consumeTasks('trip', 'book-car', handler);
        await subject.injectRaw(names.taskQueue('trip', 'book-car'), 'not json');
        await eventually(
          async () => (await transport.queueDepths('trip', ['book-hotel', 'book-car'])).deadLetters === 1,
          'the bad message dead-lettered',
        );
        const { queues, deadLetterQueue } = await transport.queueDepths('trip', ['book-hotel', 'book-car']);
        expect(deadLetterQueue).toBe(names.deadLetterQueue);
        expect(queues).toEqual({
          [names.startQueue('trip')]: 1,
          [names.throttledQueue('trip')]: 0,
          [names.replyQueue('trip')]: 0,
          [names.taskQueue('trip', 'book-hotel')]: 2,
          [names.taskQueue('trip', 'book-car')]: 0,
        });
        expect(got).toEqual([]);
      });
    });

    describe('routing', () => {
      it("gives a task's consumer only that task of that flow", async () => {
        const hotel = collect<TaskMessage>();
        const car = collect<TaskMessage>();
        const otherHotel = collect<TaskMessage>();
        await transport.consumeTasks('trip', 'book-hotel', hotel.handler);
        await transport.consumeTasks('trip', 'book-car', car.handler);
        await transport.consumeTasks('other', 'book-hotel', otherHotel.handler);
        await transport.sendTask(task('trip', 'book-hotel', 1));
        await transport.sendTask(task('trip', 'book-car', 2));
        await transport.sendTask(task('other', 'book-hotel', 3));
        await eventually(
          () => hotel.got.length + car.got.length + otherHotel.got.length === 3,
          'three task messages',
        );
        expect(hotel.got.map((m) => m.sagaId)).toEqual(['saga-1']);
        expect(car.got.map((m) => m.sagaId)).toEqual(['saga-2']);
        expect(otherHotel.got.map((m) => m.sagaId)).toEqual(['saga-3']);
      });

      it('gives starts and replies only to their own flow', async () => {
        const tripStarts = collect<StartMessage>();
        const otherStarts = collect<StartMessage>();
        const tripReplies = collect<ReplyMessage>();
        const otherReplies = collect<ReplyMessage>();
        await transport.consumeStarts('trip', tripStarts.handler);
        await transport.consumeStarts('other', otherStarts.handler);
        await transport.consumeReplies('trip', tripReplies.handler);
        await transport.consumeReplies('other', otherReplies.handler);
        await transport.sendStart(start('other', 1));
        await transport.sendStart(start('trip', 2));
        await transport.sendReply(reply('other', 'book-hotel', 3, true));
        await transport.sendReply(reply('trip', 'book-hotel', 4, true));
        const total = () =>
          tripStarts.got.length + otherStarts.got.length + tripReplies.got.length + otherReplies.got.length;
        await eventually(() => total() === 4, 'four messages');
        expect(tripStarts.got.map((m) => m.sagaId)).toEqual(['saga-2']);
        expect(otherStarts.got.map((m) => m.sagaId)).toEqual(['saga-1']);
        expect(tripReplies.got.map((m) => m.sagaId)).toEqual(['saga-4']);
        expect(otherReplies.got.map((m) => m.sagaId)).toEqual(['saga-3']);
      });

      it("gives a reply sent back to a replica, or to one that never consumed, to its flow's consumer", async () => {
        const replies = collect<ReplyMessage>();
        const otherReplies = collect<ReplyMessage>();
        await transport.consumeReplies('trip', replies.handler, { replica: 'gw-1' });
        await transport.consumeReplies('other', otherReplies.handler, { replica: 'gw-1' });
        await transport.sendReply(reply('trip', 'book-hotel', 1, true), 'gw-1');
        await transport.sendReply(reply('trip', 'book-hotel', 2, true), 'gw-2');
        await transport.sendReply(reply('trip', 'book-hotel', 3, true));
        await eventually(() => replies.got.length === 3, 'three replies');
        expect(replies.got.map((m) => m.sagaId).sort()).toEqual(['saga-1', 'saga-2', 'saga-3']);
        await sleep(100);
        expect(replies.got).toHaveLength(3);
        expect(otherReplies.got).toEqual([]);
      });

      it('never gives a result for one instance to another', async () => {
        const first = collect<ResultMessage>();
        const second = collect<ResultMessage>();
        await transport.consumeResults('gw-1', first.handler);
        await transport.consumeResults('gw-2', second.handler);
        await transport.sendResult('gw-2', result('trip', 1));
        await transport.sendResult('gw-1', result('trip', 2));
        await eventually(() => first.got.length + second.got.length === 2, 'two results');
        expect(first.got.map((m) => m.sagaId)).toEqual(['saga-2']);
        expect(second.got.map((m) => m.sagaId)).toEqual(['saga-1']);
      });

      it('shares a queue among its consumers: each message goes to exactly one', async () => {
        const a = collect<TaskMessage>();
        const b = collect<TaskMessage>();
        const slow = (inner: MessageHandler<TaskMessage>) => async (m: TaskMessage) => {
          await sleep(5);
          await inner(m);
        };
        await transport.consumeTasks('trip', 'book-hotel', slow(a.handler), { prefetch: 2 });
        await transport.consumeTasks('trip', 'book-hotel', slow(b.handler), { prefetch: 2 });
        for (let n = 1; n <= 10; n++) await transport.sendTask(task('trip', 'book-hotel', n));
        await eventually(() => a.got.length + b.got.length === 10, 'ten task messages');
        const ids = [...a.got, ...b.got].map((m) => m.sagaId).sort();
        expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `saga-${i + 1}`).sort());
        expect(a.got.length).toBeGreaterThan(0);
        expect(b.got.length).toBeGreaterThan(0);
      });
    });

    describe('at least once', () => {
      it('redelivers a message whose handler threw, after the redelivery delay', async () => {
        const deliveries: number[] = [];
        let succeeded = 0;
        await transport.consumeTasks('trip', 'book-hotel', async () => {
          deliveries.push(Date.now());
          if (deliveries.length === 1) throw new Error('redis is down');
          succeeded++;
        });
        await transport.sendTask(task('trip', 'book-hotel', 1));
        await eventually(() => succeeded === 1, 'a successful second delivery');
        expect(deliveries).toHaveLength(2);
        expect(deliveries[1] - deliveries[0]).toBeGreaterThanOrEqual(redeliveryDelayMs - 5);
      });

      it('acknowledges only once the handler resolved: with prefetch 1 the next message waits', async () => {
        const release = hold();
        const got: string[] = [];
        await transport.consumeTasks(
          'trip',
          'book-hotel',
          async (m) => {
            got.push(m.sagaId);
            if (m.sagaId === 'saga-1') await release.promise;
          },
          { prefetch: 1 },
        );
        await transport.sendTask(task('trip', 'book-hotel', 1));
        await transport.sendTask(task('trip', 'book-hotel', 2));
        await eventually(() => got.length === 1, 'the first message');
        await sleep(100);
        expect(got).toEqual(['saga-1']);
        release.resolve();
        await eventually(() => got.length === 2, 'the second message after the first was acknowledged');
        expect(got).toEqual(['saga-1', 'saga-2']);
      });

      it('never runs more handlers of one consumer at once than its prefetch', async () => {
        // All six wait in the queue first, so the consumer could take them all at once if nothing held it.
        for (let n = 1; n <= 6; n++) await transport.sendTask(task('trip', 'book-car', n));
        let running = 0;
        let most = 0;
        let done = 0;
        await transport.consumeTasks(
          'trip',
          'book-car',
          async () => {
            running++;
            most = Math.max(most, running);
            await sleep(30);
            running--;
            done++;
          },
          { prefetch: 2 },
        );
        await eventually(() => done === 6, 'six handled messages');
        expect(most).toBe(2);
      });
    });

    describe('dead letters', () => {
      it('dead-letters a message that is not JSON, with the reason, and keeps consuming', async () => {
        const { got, handler } = collect<TaskMessage>();
        await transport.consumeTasks('trip', 'book-hotel', handler);
        await subject.injectRaw(names.taskQueue('trip', 'book-hotel'), '{"v": 1, oops');
        await transport.sendTask(task('trip', 'book-hotel', 2));
        await eventually(() => got.length === 1, 'the good message after the bad one');
        expect(got[0]).toEqual(task('trip', 'book-hotel', 2));
        await eventually(async () => (await subject.deadLetters()).length === 1, 'one dead letter');
        const [dead] = await subject.deadLetters();
        expect(dead.sourceQueue).toBe(names.taskQueue('trip', 'book-hotel'));
        expect(dead.reason).toMatch(/invalid JSON/);
        expect(dead.body).toBe('{"v": 1, oops');
      });

      it('dead-letters a message of the wrong shape with the parser reason', async () => {
        const { got, handler } = collect<StartMessage>();
        await transport.consumeStarts('trip', handler);
        const bad = JSON.stringify({ v: WIRE_VERSION, sagaId: 's-1', traceId: 't-1', input: {} });
        await subject.injectRaw(names.startQueue('trip'), bad);
        await transport.sendStart(start('trip', 2));
        await eventually(() => got.length === 1, 'the good message after the bad one');
        await eventually(async () => (await subject.deadLetters()).length === 1, 'one dead letter');
        const [dead] = await subject.deadLetters();
        expect(dead.sourceQueue).toBe(names.startQueue('trip'));
        expect(dead.reason).toBe('start.flow must be a non-empty string');
        expect(dead.body).toBe(bad);
        expect(got.map((m) => m.sagaId)).toEqual(['saga-2']);
      });

      it('dead-letters, never redelivers, a message whose handler throws InvalidMessageError', async () => {
        let badDeliveries = 0;
        const good: string[] = [];
        await transport.consumeReplies(
          'trip',
          async (m) => {
            if (m.sagaId === 'saga-1') {
              badDeliveries++;
              throw new InvalidMessageError('no saga saga-1');
            }
            good.push(m.sagaId);
          },
          { prefetch: 1 },
        );
        await transport.sendReply(reply('trip', 'book-hotel', 1, true));
        await transport.sendReply(reply('trip', 'book-hotel', 2, true));
        await eventually(() => good.length === 1, 'the good reply');
        await eventually(async () => (await subject.deadLetters()).length === 1, 'one dead letter');
        const [dead] = await subject.deadLetters();
        expect(dead.reason).toBe('no saga saga-1');
        expect(dead.sourceQueue).toBe(names.replyQueue('trip'));
        expect(JSON.parse(dead.body)).toEqual(reply('trip', 'book-hotel', 1, true));
        expect(dead.deliveries).toBe(1);
        expect(badDeliveries).toBe(1);
      });
    });

    describe('delivery limit', () => {
      it('dead-letters a message whose handler failed on maxDeliveries deliveries, with the last error and the count', async () => {
        let failures = 0;
        const good: string[] = [];
        await transport.consumeTasks('trip', 'book-hotel', async (m) => {
          if (m.sagaId === 'saga-1') throw new Error(`redis is down (${++failures})`);
          good.push(m.sagaId);
        });
        await transport.sendTask(task('trip', 'book-hotel', 1));
        await transport.sendTask(task('trip', 'book-hotel', 2));
        await eventually(async () => (await subject.deadLetters()).length === 1, 'one dead letter');
        const [dead] = await subject.deadLetters();
        expect(dead.sourceQueue).toBe(names.taskQueue('trip', 'book-hotel'));
        expect(dead.deliveries).toBe(limits.maxDeliveries);
        expect(dead.reason).toBe(
          `handler failed on ${limits.maxDeliveries} deliveries; last error: redis is down (${limits.maxDeliveries})`,
        );
        expect(JSON.parse(dead.body)).toEqual(task('trip', 'book-hotel', 1));
        expect(failures).toBe(limits.maxDeliveries);
        expect(good).toEqual(['saga-2']);
      });

      it('uses no delivery for a handler that throws TransientFaultError (an outage), directly or as a cause', async () => {
        let outages = 0;
        let handled = false;
        await transport.consumeTasks('trip', 'book-car', async () => {
          if (++outages <= limits.maxDeliveries) {
            const lost = new TransientFaultError('store unavailable');
            throw outages % 2 ? lost : new Error('commit failed', { cause: lost });
          }
          handled = true;
        });
        await transport.sendTask(task('trip', 'book-car', 1));
        await eventually(() => handled, 'the delivery after the outage', 5000);
        expect(outages).toBe(limits.maxDeliveries + 1);
        expect(await subject.deadLetters()).toEqual([]);
      });

      it('delivers a message whose handler succeeds on its last allowed delivery, and dead-letters nothing', async () => {
        const seen: string[] = [];
        await transport.consumeReplies('trip', async (m) => {
          seen.push(m.sagaId);
          if (seen.length < limits.maxDeliveries) throw new Error('store timeout');
        });
        await transport.sendReply(reply('trip', 'book-hotel', 1, true));
        await eventually(() => seen.length === limits.maxDeliveries, 'the last allowed delivery');
        await transport.sendReply(reply('trip', 'book-hotel', 2, true));
        await eventually(() => seen.length === limits.maxDeliveries + 1, 'the next reply');
        expect(seen).toEqual([...Array<string>(limits.maxDeliveries).fill('saga-1'), 'saga-2']);
        expect(await subject.deadLetters()).toEqual([]);
      });
    });

    describe.each(CHANNELS)('every channel: $name', (channel) => {
      it('delivers a message equal to what was sent, and the next after it', async () => {
        const { got, handler } = collect<{ sagaId: string }>();
        await channel.consume(transport, handler);
        await channel.send(transport, channel.message(1));
        await channel.send(transport, channel.message(2));
        await eventually(() => got.length === 2, 'both messages');
        expect(got).toEqual([channel.message(1), channel.message(2)]);
      });

      it('keeps a message sent before its consumer started, if the channel waits', async () => {
        if (!channel.waits) {
          // An event with no bound subscriber is dropped, and a late subscriber gets only what follows.
          await channel.send(transport, channel.message(1));
          const { got, handler } = collect<{ sagaId: string }>();
          await channel.consume(transport, handler);
          await channel.send(transport, channel.message(2));
          await eventually(() => got.length === 1, 'the event sent after subscribing');
          await sleep(100);
          expect(got.map((m) => m.sagaId)).toEqual(['saga-2']);
          return;
        }
        await channel.send(transport, channel.message(1));
        const { got, handler } = collect<{ sagaId: string }>();
        await channel.consume(transport, handler);
        await eventually(() => got.length === 1, 'the waiting message');
        expect(got[0]).toEqual(channel.message(1));
      });

      it('redelivers after a failed handler and dead-letters after maxDeliveries, with the count', async () => {
        const deliveries = new Map<string, number>();
        await channel.consume(transport, async (m) => {
          const count = (deliveries.get(m.sagaId) ?? 0) + 1;
          deliveries.set(m.sagaId, count);
          if (m.sagaId === 'saga-1') throw new Error(`down (${count})`);
          if (m.sagaId === 'saga-2' && count < 2) throw new Error('once');
        });
        await channel.send(transport, channel.message(1));
        await channel.send(transport, channel.message(2));
        await eventually(async () => (await subject.deadLetters()).length === 1, 'one dead letter');
        await eventually(() => deliveries.get('saga-2') === 2, 'the second delivery of the other message');
        const [dead] = await subject.deadLetters();
        expect(dead).toEqual({
          sourceQueue: channel.queue(names),
          reason: `handler failed on ${limits.maxDeliveries} deliveries; last error: down (${limits.maxDeliveries})`,
          deliveries: limits.maxDeliveries,
          body: expect.any(String),
        });
        expect(JSON.parse(dead.body)).toEqual(channel.message(1));
        expect(deliveries.get('saga-1')).toBe(limits.maxDeliveries);
      });

      it('dead-letters what is not JSON, of the wrong version, or refused by its handler, and keeps consuming', async () => {
        const { got, handler } = collect<{ sagaId: string }>();
        await channel.consume(transport, async (m) => {
          if (m.sagaId === 'saga-3') throw new InvalidMessageError('refused by the handler');
          await handler(m);
        });
        // The queue exists once consumed (an event queue too), so raw bytes can be put on it.
        const raw = (body: string) => subject.injectRaw(channel.queue(names), body, channel.route);
        await raw('not json');
        await raw(JSON.stringify({ ...channel.message(2), v: 99 }));
        await channel.send(transport, channel.message(3));
        await channel.send(transport, channel.message(4));
        await eventually(async () => (await subject.deadLetters()).length === 3, 'three dead letters');
        await eventually(() => got.length === 1, 'the good message');
        const dead = await subject.deadLetters();
        expect(dead.map((d) => [d.sourceQueue, d.deliveries])).toEqual(
          Array.from({ length: 3 }, () => [channel.queue(names), 1]),
        );
        expect(dead.map((d) => d.reason)).toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^invalid JSON/),
            expect.stringMatching(/\.v must be 1, got 99$/),
            'refused by the handler',
          ]),
        );
        expect(got).toEqual([channel.message(4)]);
      });
    });

    describe.each(CHANNELS)('bounds on a $name', (channel) => {
      it('dead-letters a message over maxMessageBytes or maxMessageDepth before its handler sees it', async () => {
        const got: string[] = [];
        await channel.consume(transport, async (m) => void got.push(m.sagaId));
        await channel.send(transport, channel.message(1, 'x'.repeat(limits.maxMessageBytes)));
        await channel.send(transport, channel.message(2, nested(limits.maxMessageDepth)));
        // The message objects around the payload are one or two levels: within the bound, whatever the channel.
        await channel.send(transport, channel.message(3, nested(limits.maxMessageDepth - 2)));
        await eventually(() => got.length === 1, 'the message within the bounds');
        await eventually(async () => (await subject.deadLetters()).length === 2, 'two dead letters');
        const dead = await subject.deadLetters();
        expect(got).toEqual(['saga-3']);
        const bytes = Buffer.byteLength(dead.find((d) => d.reason.includes('Bytes'))?.body ?? '');
        expect(
          dead.map(({ sourceQueue, reason, deliveries }) => ({ sourceQueue, reason, deliveries })),
        ).toEqual(
          expect.arrayContaining([
            {
              sourceQueue: channel.queue(names),
              reason: `message of ${bytes} bytes exceeds maxMessageBytes (${limits.maxMessageBytes})`,
              deliveries: 1,
            },
            {
              sourceQueue: channel.queue(names),
              reason: `message nested deeper than maxMessageDepth (${limits.maxMessageDepth})`,
              deliveries: 1,
            },
          ]),
        );
        expect(bytes).toBeGreaterThan(limits.maxMessageBytes);
      });
    });

    it('publishes lifecycle events to the subscribers whose pattern matches <flow>.<type>', async () => {
      const trip = await subject.watchEvents('trip.#');
      const other = await subject.watchEvents('other.#');
      const completed = await subject.watchEvents('*.completed');
      await transport.publishEvent(lifecycle('other', 'stalled', 1));
      await transport.publishEvent(lifecycle('trip', 'started', 2));
      await transport.publishEvent(lifecycle('trip', 'completed', 2));
      await eventually(() => trip().length === 2 && other().length === 1, 'the events');
      await eventually(() => completed().length === 1, 'the completed event');
      expect(trip()).toEqual([lifecycle('trip', 'started', 2), lifecycle('trip', 'completed', 2)]);
      expect(other()).toEqual([lifecycle('other', 'stalled', 1)]);
      expect(completed()).toEqual([lifecycle('trip', 'completed', 2)]);
    });

    describe('close', () => {
      it('waits for the handlers under way', async () => {
        const release = hold();
        let started = false;
        let finished = false;
        await transport.consumeTasks('trip', 'book-hotel', async () => {
          started = true;
          await release.promise;
          finished = true;
        });
        await transport.sendTask(task('trip', 'book-hotel', 1));
        await eventually(() => started, 'the handler to start');
        let closed = false;
        const closing = transport.close().then(() => (closed = true));
        await sleep(50);
        expect(closed).toBe(false);
        release.resolve();
        await closing;
        expect(finished).toBe(true);
      });

      it('answers a health check while open, and refuses it once closed', async () => {
        await expect(transport.check()).resolves.toBeUndefined();
        await transport.close();
        await expect(transport.check()).rejects.toThrow(TransportClosedError);
      });

      it('is idempotent and refuses to send afterwards', async () => {
        await transport.close();
        await expect(transport.close()).resolves.toBeUndefined();
        await expect(transport.sendTask(task('trip', 'book-hotel', 1))).rejects.toThrow(TransportClosedError);
        await expect(transport.consumeStarts('trip', async () => undefined)).rejects.toThrow(
          TransportClosedError,
        );
      });
    });
  });
}
