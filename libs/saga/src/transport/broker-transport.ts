import {
  deliverMessage,
  type Delivery,
  type DeliveryLimits,
  type DeliveryOutcome,
  type ResolvedDeliveryLimits,
  resolveDeliveryLimits,
} from './message-delivery';
import { SagaChannels, type QueueAddress, type SagaChannel } from './saga-channels';
import type {
  CallbackMessage,
  LifecycleEvent,
  ReplyMessage,
  ResultMessage,
  StartMessage,
  TaskMessage,
} from './saga-messages';
import { SagaTopology } from './saga-topology';
import type {
  ConsumeOptions,
  MessageHandler,
  QueueDepths,
  ReplyConsumeOptions,
  SagaTransport,
} from './saga-transport.interface';
import { activeSpanContext, isTracing } from './trace-context';
import { traceHeaders, type TraceHeaders } from './trace-headers';
import { TransportClosedError } from './transport-closed.error';

/** What every broker adapter is configured with, whatever the broker. */
export interface BrokerTransportSettings extends DeliveryLimits {
  /**
   * Prefix of every queue, exchange, stream and subject name (see `SagaTopology`).
   * @default 'dta'
   */
  prefix?: string;
  /**
   * Unsettled messages one consumer holds at once, unless its `consume*` call says otherwise.
   * @default 32
   */
  prefetch?: number;
}

/** A message as a broker adapter sends it: the JSON text and the headers it must carry. */
export interface OutgoingMessage {
  /** The message's JSON, UTF-8. */
  readonly body: string;
  /** `x-request-id` and `traceparent`, to be sent as the broker's message headers (and kept on copies). */
  readonly headers: TraceHeaders;
}

/**
 * How an adapter consumes a queue: it holds at most `prefetch` unsettled deliveries, hands each to `process`
 * (which never throws) and settles it by the outcome:
 * - `ack`: remove the message;
 * - `dead-letter`: put it, as received, on the dead-letter queue with the reason, the count and the source
 *   queue (`x-dta-reason`, `x-dta-deliveries`, `x-dta-source-queue`), then remove it;
 * - `retry`: after the adapter's redelivery delay, deliver it again as delivery `next` (which
 *   `Delivery.delivery` must then report), keeping it until the copy is safe.
 */
export interface QueueReceiver {
  readonly prefetch: number;
  process(delivery: Delivery): Promise<DeliveryOutcome>;
}

/**
 * A {@link SagaTransport} over a few broker primitives. The routing (which queue each message kind travels on,
 * its parser) is kept once, in {@link SagaChannels}; the bounds, parsing and dead-letter decisions once, in
 * `deliverMessage`. An adapter implements the primitives below for its broker and nothing saga-specific, the
 * way `@nestjs/microservices` keeps routing in `Server` and each broker in a small subclass.
 *
 * Every primitive is called only after `connect()` resolved and before `disconnect()` began.
 */
export abstract class BrokerTransport implements SagaTransport {
  /** Queue and topic names. */
  readonly topology: SagaTopology;
  /** Which queue each message kind travels on. */
  protected readonly channels: SagaChannels;
  /** Bounds every consumer applies. */
  protected readonly limits: ResolvedDeliveryLimits;
  /** Prefetch of a consumer whose `consume*` call sets none. */
  protected readonly prefetch: number;

  #connecting?: Promise<void>;
  #closing?: Promise<void>;

  protected constructor(settings: BrokerTransportSettings) {
    this.topology = new SagaTopology(settings.prefix ?? 'dta');
    this.channels = new SagaChannels(this.topology);
    this.limits = resolveDeliveryLimits(settings);
    this.prefetch = settings.prefetch ?? 32;
  }

  /** Connects to the broker and declares what every channel shares (e.g. the dead-letter queue). */
  protected abstract connect(): Promise<void>;
  /** Stops every consumer, waits for the handlers under way, closes what `connect` opened. */
  protected abstract disconnect(): Promise<void>;
  /**
   * Puts a message on `queue` (declaring it if it does not exist yet, so nothing sent before its consumer is
   * lost); resolves once the broker holds it durably.
   */
  protected abstract sendToQueue(queue: QueueAddress, message: OutgoingMessage): Promise<void>;
  /** Declares `queue` and consumes it as {@link QueueReceiver} says; resolves once consuming. */
  protected abstract consumeQueue(queue: QueueAddress, receiver: QueueReceiver): Promise<void>;
  /**
   * Publishes on the event topic under `key` (`<flow>.<type>`); every subscriber queue bound with a matching
   * pattern gets a copy; nobody bound, nobody gets it. Resolves once the broker holds it durably.
   */
  protected abstract publishToTopic(key: string, message: OutgoingMessage): Promise<void>;
  /**
   * Declares the subscriber's `queue`, binds it to the topic with `patterns` (AMQP topic syntax: `*` one
   * word, `#` any number of words) and consumes it like {@link consumeQueue}.
   */
  protected abstract subscribeToTopic(
    queue: QueueAddress,
    patterns: readonly string[],
    receiver: QueueReceiver,
  ): Promise<void>;
  /** Messages ready on `queue` (not those a consumer holds); 0 for a queue that does not exist. */
  protected abstract countReady(queue: QueueAddress): Promise<number>;

  /**
   * Sends a reply towards one orchestrator replica's queue `replica`, and to the flow's `shared` reply queue
   * when that replica's queue is gone or its replica does not take it in time, so that nothing is lost. An
   * adapter whose broker cannot fall back so keeps this default: `shared` only.
   */
  protected sendToReplica(
    shared: QueueAddress,
    _replica: QueueAddress,
    message: OutgoingMessage,
  ): Promise<void> {
    return this.sendToQueue(shared, message);
  }
  /**
   * Declares and consumes one replica's reply queue (`replica`, fed by {@link sendToReplica}, falling back to
   * `shared`) like {@link consumeQueue}. The default consumes nothing: every reply arrives on `shared`.
   */
  protected consumeReplica(
    _shared: QueueAddress,
    _replica: QueueAddress,
    _receiver: QueueReceiver,
  ): Promise<void> {
    return Promise.resolve();
  }

  /** Connects; idempotent, and the other methods call it. A failed attempt can be retried. */
  async init(): Promise<void> {
    this.#assertOpen('init');
    this.#connecting ??= this.connect().catch((error: unknown) => {
      this.#connecting = undefined;
      throw error;
    });
    await this.#connecting;
  }

  sendStart(message: StartMessage): Promise<void> {
    return this.#send(this.channels.startOf(message), message, 'send a start message');
  }

  consumeStarts(flow: string, handler: MessageHandler<StartMessage>, options?: ConsumeOptions) {
    return this.#consume(this.channels.start(flow), handler, options);
  }

  consumeThrottledStarts(flow: string, handler: MessageHandler<StartMessage>, options?: ConsumeOptions) {
    return this.#consume(this.channels.throttled(flow), handler, options);
  }

  async queuedStarts(flow: string): Promise<number> {
    await this.#ready('count queued starts');
    const queues = [this.channels.start(flow).queue, this.channels.throttled(flow).queue];
    const counts = await Promise.all(queues.map((queue) => this.countReady(queue)));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async queueDepths(flow: string, tasks: readonly string[]): Promise<QueueDepths> {
    await this.#ready('count queue depths');
    const { channels } = this;
    const queues = [channels.start(flow), channels.throttled(flow), channels.reply(flow)]
      .concat(tasks.map((task) => channels.task(flow, task)))
      .map((channel) => channel.queue);
    const [deadLetters, ...counts] = await Promise.all(
      [channels.deadLetter, ...queues].map((queue) => this.countReady(queue)),
    );
    return {
      queues: Object.fromEntries(queues.map((queue, i) => [queue.name, counts[i]])),
      deadLetterQueue: channels.deadLetter.name,
      deadLetters,
    };
  }

  sendTask(message: TaskMessage): Promise<void> {
    return this.#send(this.channels.task(message.flow, message.task), message, 'send a task message');
  }

  consumeTasks(flow: string, task: string, handler: MessageHandler<TaskMessage>, options?: ConsumeOptions) {
    return this.#consume(this.channels.task(flow, task), handler, options);
  }

  async sendReply(message: ReplyMessage, replyTo?: string): Promise<void> {
    const shared = this.channels.reply(message.flow);
    if (!replyTo) return this.#send(shared, message, 'send a reply message');
    await this.#ready('send a reply message');
    const replica = this.channels.replicaReply(message.flow, replyTo).queue;
    await this.sendToReplica(shared.queue, replica, outgoing(message));
  }

  async consumeReplies(flow: string, handler: MessageHandler<ReplyMessage>, options?: ReplyConsumeOptions) {
    const shared = this.channels.reply(flow);
    await this.#consume(shared, handler, options);
    if (!options?.replica) return;
    const replica = this.channels.replicaReply(flow, options.replica);
    await this.consumeReplica(shared.queue, replica.queue, this.#receiver(replica, handler, options));
    this.#assertOpen('consume');
  }

  sendResult(replyTo: string, message: ResultMessage): Promise<void> {
    return this.#send(this.channels.result(replyTo), message, 'send a result message');
  }

  consumeResults(replyTo: string, handler: MessageHandler<ResultMessage>): Promise<void> {
    return this.#consume(this.channels.result(replyTo), handler);
  }

  sendCallback(message: CallbackMessage): Promise<void> {
    return this.#send(this.channels.callback(), message, 'send a callback message');
  }

  consumeCallbacks(handler: MessageHandler<CallbackMessage>, options?: ConsumeOptions): Promise<void> {
    return this.#consume(this.channels.callback(), handler, options);
  }

  async publishEvent(event: LifecycleEvent): Promise<void> {
    await this.#ready('publish an event');
    await this.publishToTopic(this.channels.eventKey(event), outgoing(event));
  }

  async consumeEvents(
    subscriber: string,
    patterns: string[],
    handler: MessageHandler<LifecycleEvent>,
  ): Promise<void> {
    const { queue, parse } = this.channels.event(subscriber);
    await this.#ready('consume');
    await this.subscribeToTopic(queue, patterns, this.#receiver({ queue, parse }, handler));
    this.#assertOpen('consume'); // close() may have begun meanwhile
  }

  /** Asks the broker how many messages the dead-letter queue holds: a round trip every adapter has. */
  async check(): Promise<void> {
    await this.#ready('check the broker');
    await this.countReady(this.channels.deadLetter);
  }

  /** Stops consuming, waits for handlers under way, closes connections. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#connecting?.catch(() => undefined);
      await this.disconnect();
    })();
    return this.#closing;
  }

  /** Whether `close()` was called. */
  protected get isClosed(): boolean {
    return this.#closing !== undefined;
  }

  async #send<M extends { traceId: string }>(
    channel: SagaChannel<M>,
    message: M,
    operation: string,
  ): Promise<void> {
    await this.#ready(operation);
    await this.sendToQueue(channel.queue, outgoing(message));
  }

  async #consume<M>(
    channel: SagaChannel<M>,
    handler: MessageHandler<M>,
    options?: ConsumeOptions,
  ): Promise<void> {
    await this.#ready('consume');
    await this.consumeQueue(channel.queue, this.#receiver(channel, handler, options));
    this.#assertOpen('consume');
  }

  #receiver<M>(
    channel: SagaChannel<M>,
    handler: MessageHandler<M>,
    options: ConsumeOptions = {},
  ): QueueReceiver {
    return {
      prefetch: Math.max(1, options.prefetch ?? this.prefetch),
      process: (delivery) => deliverMessage(delivery, channel.parse, handler, this.limits),
    };
  }

  async #ready(operation: string): Promise<void> {
    this.#assertOpen(operation);
    await this.init();
  }

  #assertOpen(operation: string): void {
    if (this.#closing) throw new TransportClosedError(operation);
  }
}

/**
 * The body and headers of a message. Sent inside an OpenTelemetry span of the saga's trace (an orchestrator's,
 * a worker's, or the caller's), its `traceparent` names that span, so the receiver's spans are its children.
 */
function outgoing(message: { traceId: string }): OutgoingMessage {
  const sender = isTracing() ? activeSpanContext() : undefined;
  return { body: JSON.stringify(message), headers: traceHeaders(message.traceId, sender) };
}
