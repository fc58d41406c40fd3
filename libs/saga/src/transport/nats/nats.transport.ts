// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient shim, which no import can bring in
/// <reference path="./nats-core-types.d.ts" />
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger, type LoggerService } from '@nestjs/common';
import {
  connect,
  headers as createHeaders,
  InvalidArgumentError,
  NoRespondersError,
  type MsgHdrs,
  type NatsConnection,
} from '@nats-io/transport-node';
import {
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type Consumer,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { BrokerTransport, type OutgoingMessage, type QueueReceiver } from '../broker-transport';
import { deadLetterHeaders, DELIVERY_HEADER, describeError } from '../message-delivery';
import type { QueueAddress } from '../saga-channels';
import { TransientFaultError } from '../../vocabulary';
import { NatsConsumer } from './nats-consumer';
import { NatsTopology, type NatsQueue } from './nats-topology';
import {
  resolveNatsTransportSettings,
  type NatsTransportOptions,
  type ResolvedNatsTransportSettings,
} from './nats-transport.options';
import { topicMatches } from '../topic-matches';

/** Pause before publishing again a message JetStream did not acknowledge. */
const REPUBLISH_PAUSE_MS = 50;
/**
 * Longest wait for one publish acknowledgement or JetStream API answer before asking again. A request sent while
 * disconnected, or just after reconnecting while JetStream is still recovering its streams, gets no answer at
 * all; publishing again with the same message id is safe (JetStream stores it once).
 */
const ATTEMPT_TIMEOUT_MS = 2000;
/** Longest wait for draining the connection on close. */
const DRAIN_TIMEOUT_MS = 5000;
/** JetStream's answer to a durable created again with another configuration (`consumer already exists`). */
const CONSUMER_EXISTS = 10148;
/** JetStream's answer to a stream created again with another configuration. */
const STREAM_NAME_IN_USE = 10058;

/**
 * `SagaTransport` on NATS JetStream (server 2.9 or later), through the official clients `@nats-io/transport-node`
 * and `@nats-io/jetstream`. Names come from `SagaTopology`; how they map onto streams, subjects and durable
 * consumers is described on {@link NatsTopology}. Streams and consumers are created idempotently by whoever needs
 * them first; a message sent before its consumer exists waits in its stream.
 *
 * - Sending resolves once JetStream stored the message (its publish acknowledgement), retried across reconnects
 *   for `publishTimeoutMs`, then it rejects with `TransientFaultError`. Messages are JSON with the headers
 *   `x-request-id` (the trace id) and W3C `traceparent`, and a `Nats-Msg-Id` of its own per send, kept across the
 *   retries of that send, so a publish retried after a lost acknowledgement is stored once (`duplicateWindowMs`).
 *   Not a hash of the body: two sends of identical bytes are both meant (a repeated start asks for its answer
 *   again, a second caller of one saga gets the same result), and de-duplicating them left callers waiting.
 * - Each consumer pulls at most its prefetch of messages from the queue's durable consumer, which the queue's
 *   consumers share, and acknowledges a message only after its handler resolved (see {@link NatsConsumer}).
 * - A message over `maxMessageBytes` or `maxMessageDepth`, that is not JSON or fails its parser, or whose handler
 *   throws `InvalidMessageError`, is published as received to the dead-letter queue (headers `x-dta-reason`,
 *   `x-dta-source-queue`, `x-dta-deliveries`, `x-dta-dead-lettered-at`), then acknowledged. Any other handler
 *   error publishes a copy to its queue after `redeliveryDelayMs`, with its delivery count in `x-dta-delivery`,
 *   then acknowledges the original (the copy stored first, so at least once holds); after `maxDeliveries` failed
 *   deliveries it is dead-lettered.
 * - The delivery count travels in the message rather than in JetStream's own `num_delivered`: that one also
 *   counts redeliveries after a consumer died holding the message or after an expired ack wait, which DTA
 *   promises use no delivery, and `max_deliver` would leave an exhausted message in its stream unseen instead of
 *   dead-lettering it with its reason. Consumers have no `max_deliver`.
 * - The id of a copy (redelivery or dead letter) also covers the stream sequence of the message it copies and
 *   the delivery it becomes: a copy is never deduplicated against its original, a copy of a copy (a handler that
 *   throws `TransientFaultError` twice keeps its count) against the first, yet publishing the same copy twice
 *   (its original came again because its acknowledgement was lost) stores it once.
 * - Events go to an interest stream: one published while no subscriber exists is dropped. A subscriber's
 *   consumer receives every event and acknowledges unread those its patterns (AMQP topic syntax) do not match;
 *   replicas of one subscriber must subscribe with the same patterns, which one transport unites.
 * - The connection reconnects forever; after a reconnection every consumer pulls again.
 * - A message larger than the server's `max_payload` (1 MB by default, headers included) is refused at once by
 *   `send*` (not retried): give the server a `max_payload` above `maxMessageBytes` plus a few hundred bytes.
 * - The streams are shared by every transport of one prefix, and declared by each with its settings
 *   (`instanceQueueExpiresMs`, `duplicateWindowMs`): the last to connect wins, so give them all the same.
 *
 * @example
 * const transport = new NatsTransport({ url: 'nats://localhost:4222' });
 * await transport.init();
 */
export class NatsTransport extends BrokerTransport {
  private readonly settings: ResolvedNatsTransportSettings;
  private readonly logger: LoggerService;
  private readonly nats: NatsTopology;
  private nc?: NatsConnection;
  private jsm?: JetStreamManager;
  private js?: JetStreamClient;
  private readonly consumers = new Set<NatsConsumer>();
  /** Durable consumers declared (or being declared) by this transport, by stream and name. */
  private readonly bound = new Map<string, Promise<Consumer>>();
  /** Patterns of every subscription of this transport, by event queue. */
  private readonly patterns = new Map<string, Set<string>>();

  constructor(options: NatsTransportOptions = {}) {
    super(options);
    this.settings = resolveNatsTransportSettings(options);
    this.logger = options.logger ?? new Logger(NatsTransport.name);
    this.nats = new NatsTopology(this.topology, this.settings);
  }

  /** The NATS connection, once `init()` resolved (e.g. for health checks). */
  get connection(): NatsConnection | undefined {
    return this.nc;
  }

  /** Stream names and subjects. */
  get streams(): NatsTopology {
    return this.nats;
  }

  /** Connects and declares the three streams. */
  protected async connect(): Promise<void> {
    const nc = await connect({
      servers: this.settings.servers,
      ...this.settings.auth,
      name: this.settings.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: this.settings.reconnectDelayMs,
      timeout: this.settings.connectTimeoutMs,
    });
    try {
      const jsm = await jetstreamManager(nc, { timeout: 2 * ATTEMPT_TIMEOUT_MS });
      this.jsm = jsm;
      this.js = jsm.jetstream();
      this.nc = nc;
      await this.declareStreams();
    } catch (error) {
      this.nc = undefined;
      await nc.close().catch(() => undefined);
      throw error;
    }
    void this.watchStatus(nc);
    void nc.closed().then(() => this.onClosed());
  }

  /** Stops the consumers, waits for their handlers, then drains and closes the connection. */
  protected async disconnect(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.stop()));
    this.consumers.clear();
    const nc = this.nc;
    if (!nc || nc.isClosed()) return;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      nc.drain().then(
        () => true,
        () => false,
      ),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (!drained) {
      this.logger.warn('NATS connection did not drain in time; closing it');
      await nc.close().catch(() => undefined);
    }
  }

  protected async sendToQueue(address: QueueAddress, message: OutgoingMessage): Promise<void> {
    const { subject } = this.nats.queue(address);
    await this.publish(subject, message.body, traceHeaders(message), randomUUID());
  }

  protected async consumeQueue(address: QueueAddress, receiver: QueueReceiver): Promise<void> {
    await this.consume(this.nats.queue(address), receiver);
  }

  protected async publishToTopic(key: string, message: OutgoingMessage): Promise<void> {
    const subject = this.nats.eventSubject(key);
    await this.publish(subject, message.body, traceHeaders(message), randomUUID());
  }

  protected async subscribeToTopic(
    address: QueueAddress,
    patterns: readonly string[],
    receiver: QueueReceiver,
  ): Promise<void> {
    const queue = this.nats.eventQueue(address);
    const bound = this.patterns.get(queue.name) ?? new Set<string>();
    patterns.forEach((pattern) => bound.add(pattern));
    this.patterns.set(queue.name, bound);
    await this.consume(queue, receiver, (message) => {
      const key = this.nats.eventKey(message.subject);
      return key !== undefined && [...bound].some((pattern) => topicMatches(pattern, key));
    });
  }

  /** The durable consumer's `num_pending` if it exists, else the messages of the queue's subject in its stream. */
  protected async countReady(address: QueueAddress): Promise<number> {
    const queue = this.nats.queue(address);
    const jsm = this.manager();
    try {
      return (await jsm.consumers.info(queue.stream, queue.durable)).num_pending;
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
    }
    const info = await jsm.streams.info(queue.stream, { subjects_filter: queue.subject });
    return info.state.subjects?.[queue.subject] ?? 0;
  }

  private async consume(
    queue: NatsQueue,
    receiver: QueueReceiver,
    accepts?: (message: JsMsg) => boolean,
  ): Promise<void> {
    const consumer = new NatsConsumer({
      queue,
      prefetch: receiver.prefetch,
      redeliveryDelayMs: this.settings.redeliveryDelayMs,
      ackWaitMs: this.settings.ackWaitMs,
      bind: (again) => this.bind(queue, again),
      accepts,
      process: (delivery) => receiver.process(delivery),
      deadLetter: (message, reason, deliveries) => this.deadLetter(queue, message, reason, deliveries),
      redeliver: (message, next) => this.redeliver(message, next),
      logger: this.logger,
    });
    this.consumers.add(consumer);
    try {
      await consumer.start();
    } catch (error) {
      this.consumers.delete(consumer);
      await consumer.stop();
      throw error;
    }
    if (this.isClosed) await consumer.stop(); // close() began while it started: it did not see it
  }

  /**
   * The queue's durable consumer, declared once per transport (again after a failure): created if missing,
   * reused if it exists with the same settings, updated if it exists with others (e.g. another `ackWaitMs`).
   * `again`: declare it anew (a pull failed: it may have been deleted).
   */
  private bind(queue: NatsQueue, again = false): Promise<Consumer> {
    const key = `${queue.stream}/${queue.durable}`;
    if (again) this.bound.delete(key);
    let binding = this.bound.get(key);
    if (!binding) {
      binding = this.declareConsumer(queue);
      this.bound.set(key, binding);
      binding.catch(() => this.bound.delete(key));
    }
    return binding;
  }

  private async declareConsumer(queue: NatsQueue): Promise<Consumer> {
    const jsm = this.manager();
    const config = this.nats.consumerConfig(queue);
    try {
      await jsm.consumers.add(queue.stream, config);
    } catch (error) {
      if (!isApiError(error, CONSUMER_EXISTS)) throw error;
      const { ack_wait, inactive_threshold, max_ack_pending } = config;
      await jsm.consumers.update(queue.stream, queue.durable, {
        ack_wait,
        inactive_threshold,
        max_ack_pending,
      });
    }
    return this.jetstream().consumers.get(queue.stream, queue.durable);
  }

  private async declareStreams(): Promise<void> {
    const jsm = this.manager();
    for (const config of this.nats.streams()) {
      try {
        await jsm.streams.add(config);
      } catch (error) {
        if (!isApiError(error, STREAM_NAME_IN_USE)) throw error;
        const { max_age, duplicate_window } = config;
        await jsm.streams.update(config.name, { max_age, duplicate_window });
      }
    }
  }

  /** Copies the message, bytes and headers as received, to the dead-letter queue with the reason and count. */
  private async deadLetter(
    source: NatsQueue,
    message: JsMsg,
    reason: string,
    deliveries: number,
  ): Promise<void> {
    const target = this.nats.deadLetterQueue;
    const hdrs = copyHeaders(message);
    for (const [name, value] of Object.entries(deadLetterHeaders(reason, deliveries, source.name))) {
      hdrs.set(name, String(value));
    }
    hdrs.set('x-dta-source-subject', message.subject);
    const id = messageId(target.subject, message.data, `dead-letter:${message.info.stream}:${message.seq}`);
    await this.publish(target.subject, message.data, hdrs, id);
  }

  /** Publishes a copy of a failed message to its own subject as delivery `next`. */
  private async redeliver(message: JsMsg, next: number): Promise<void> {
    const hdrs = copyHeaders(message);
    hdrs.set(DELIVERY_HEADER, String(next));
    const id = messageId(message.subject, message.data, `copy:${message.info.stream}:${message.seq}:${next}`);
    await this.publish(message.subject, message.data, hdrs, id);
  }

  /**
   * Publishes to JetStream and resolves once it stored the message. A publish that fails (disconnected, no
   * acknowledgement in time, the stream missing) is made again, with the same id, so stored at most once, until
   * `publishTimeoutMs` has passed; then it rejects with a `TransientFaultError` (a handler that fails on it uses
   * no delivery). Streams deleted under the transport are declared again.
   */
  private async publish(
    subject: string,
    data: string | Uint8Array,
    hdrs: MsgHdrs,
    msgID: string,
  ): Promise<void> {
    const js = this.jetstream();
    const deadline = Date.now() + this.settings.publishTimeoutMs;
    for (;;) {
      const timeout = Math.max(1, Math.min(ATTEMPT_TIMEOUT_MS, deadline - Date.now()));
      try {
        await js.publish(subject, data, { msgID, headers: hdrs, timeout });
        return;
      } catch (error) {
        if (this.isClosed && this.nc?.isClosed()) throw error;
        // Larger than the server's max_payload: no retry makes it fit.
        if (error instanceof InvalidArgumentError) throw error;
        if (deadline - Date.now() < REPUBLISH_PAUSE_MS) {
          throw new TransientFaultError(
            `JetStream did not store a message to ${subject} within ${this.settings.publishTimeoutMs} ms: ${describeError(error)}`,
            { cause: error },
          );
        }
        this.logger.warn(`Publishing to ${subject} failed, again: ${describeError(error)}`);
        await sleep(REPUBLISH_PAUSE_MS);
        if (isNoStream(error)) await this.declareStreams().catch(() => undefined);
      }
    }
  }

  /** Logs connection trouble; after a reconnection, every consumer pulls again. */
  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      switch (status.type) {
        case 'disconnect':
          this.logger.warn(`NATS connection lost (${status.server}); reconnecting`);
          break;
        case 'reconnect':
          this.logger.log(`NATS connection restored (${status.server})`);
          this.consumers.forEach((consumer) => consumer.renew());
          break;
        case 'error':
          this.logger.error(`NATS connection error: ${describeError(status.error)}`);
          break;
        default:
          break;
      }
    }
  }

  /** A connection closed by anything but `close()` (it does not reconnect any more): the consumers stop. */
  private onClosed(): void {
    if (this.isClosed) return;
    this.logger.error('NATS connection closed; its consumers stop');
    const consumers = [...this.consumers];
    this.consumers.clear();
    void Promise.all(consumers.map((consumer) => consumer.stop()));
  }

  private manager(): JetStreamManager {
    if (!this.jsm) throw new Error('NatsTransport is not connected');
    return this.jsm;
  }

  private jetstream(): JetStreamClient {
    if (!this.js) throw new Error('NatsTransport is not connected');
    return this.js;
  }
}

/** `x-request-id` and `traceparent` as NATS headers. */
function traceHeaders(message: OutgoingMessage): MsgHdrs {
  const hdrs = createHeaders();
  hdrs.set('x-request-id', message.headers['x-request-id']);
  hdrs.set('traceparent', message.headers.traceparent);
  return hdrs;
}

/** The headers of a received message without those JetStream set (its id, among them). */
function copyHeaders(message: JsMsg): MsgHdrs {
  const hdrs = createHeaders();
  const received = message.headers;
  if (!received) return hdrs;
  for (const name of received.keys()) {
    if (name.toLowerCase().startsWith('nats-')) continue;
    for (const value of received.values(name)) hdrs.append(name, value);
  }
  return hdrs;
}

/**
 * The JetStream de-duplication id of a copy (redelivery or dead letter): a SHA-256 of the subject, the body and
 * the original's stream sequence with the delivery it becomes, so the same copy published twice is stored once.
 */
function messageId(subject: string, body: string | Uint8Array, copy = ''): string {
  return createHash('sha256')
    .update(subject)
    .update('\n')
    .update(copy)
    .update('\n')
    .update(body)
    .digest('hex');
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/** The subject has no stream (someone deleted it): JetStream publishes get no responders. */
function isNoStream(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if (e instanceof NoRespondersError) return true;
  return false;
}
