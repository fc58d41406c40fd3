import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Delivery,
  type DeliveryLimits,
  deliverMessage,
  type MessageParser,
  type ResolvedDeliveryLimits,
  resolveDeliveryLimits,
} from './message-delivery';
import {
  parseReplyMessage,
  parseResultMessage,
  parseCallbackMessage,
  parseLifecycleEvent,
  parseStartMessage,
  type CallbackMessage,
  parseTaskMessage,
  type LifecycleEvent,
  type ReplyMessage,
  type ResultMessage,
  type StartMessage,
  type TaskMessage,
} from './saga-messages';
import { SagaTopology } from './saga-topology';
import type { ConsumeOptions, MessageHandler, SagaTransport } from './saga-transport.interface';
import { TransportClosedError } from './transport-closed.error';

/** Options of {@link MemoryTransport}. */
export interface MemoryTransportOptions extends DeliveryLimits {
  /**
   * Prefix of every queue name (see `SagaTopology`).
   * @default 'dta'
   */
  prefix?: string;
  /**
   * Unacknowledged messages one consumer holds at once, unless its `consume*` call says otherwise.
   * @default 32
   */
  prefetch?: number;
  /**
   * Pause before a message whose handler threw (anything but `InvalidMessageError`) is delivered again.
   * @default 50
   */
  redeliveryDelayMs?: number;
}

/** A message the memory transport set aside: out of bounds, invalid, or failed on every allowed delivery. */
export interface MemoryDeadLetter {
  /** Queue the message was taken from. */
  sourceQueue: string;
  /** Why it was set aside (a bound it broke, the parser's or the handler's error message). */
  reason: string;
  /** How many deliveries it had, the last included. */
  deliveries: number;
  /** The message as it was on the queue. */
  body: string;
}

interface MemoryConsumer {
  /** Handles one delivery; returns the next delivery of the message when it must come again. */
  deliver(delivery: Delivery): Promise<Delivery | undefined>;
  prefetch: number;
  unacked: number;
}

interface MemoryQueue {
  readonly name: string;
  /** Serialised messages waiting for a consumer, oldest first. */
  readonly ready: Delivery[];
  readonly consumers: MemoryConsumer[];
  /** Index of the consumer that gets the next message (round-robin). */
  next: number;
  pumpScheduled: boolean;
}

interface EventSubscription {
  pattern: string;
  listener: (event: LifecycleEvent) => void;
}

/**
 * In-process {@link SagaTransport} with the semantics of the RabbitMQ one, for the standalone app and tests:
 * - delivery is asynchronous (never inside `send*`), round-robin among the consumers of one queue, each bounded
 *   by its prefetch, and acknowledged only when the handler resolved;
 * - a handler that throws gets the message again after `redeliveryDelayMs`, at the back of its queue, up to
 *   `maxDeliveries` deliveries; a message over `maxMessageBytes` or `maxMessageDepth`, one that cannot be
 *   parsed, whose handler throws `InvalidMessageError`, or that failed its last delivery goes to
 *   {@link deadLetters} with the reason and its delivery count;
 * - messages are copied through JSON, so sender and handler never share an object;
 * - messages wait in their queue until someone consumes it, like durable queues (results included).
 *
 * @example
 * const transport = new MemoryTransport();
 * await transport.consumeTasks('booking', 'create-order', async (task) => { ... });
 */
export class MemoryTransport implements SagaTransport {
  /** Names of the queues, as the RabbitMQ transport would name them. */
  readonly topology: SagaTopology;

  private readonly prefetch: number;
  private readonly redeliveryDelayMs: number;
  private readonly limits: ResolvedDeliveryLimits;
  private readonly queues = new Map<string, MemoryQueue>();
  private readonly subscriptions = new Set<EventSubscription>();
  /** Durable event queues by name, with the patterns bound to each. */
  private readonly eventQueues = new Map<string, string[]>();
  private readonly deadLettered: MemoryDeadLetter[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  private closed?: Promise<void>;

  constructor(options: MemoryTransportOptions = {}) {
    this.topology = new SagaTopology(options.prefix ?? 'dta');
    this.prefetch = options.prefetch ?? 32;
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 50;
    this.limits = resolveDeliveryLimits(options);
  }

  /** Messages set aside, oldest first (the dead-letter queue of this transport). */
  get deadLetters(): readonly MemoryDeadLetter[] {
    return this.deadLettered;
  }

  /** Nothing to connect to. */
  async init(): Promise<void> {
    this.assertOpen('init');
  }

  async sendStart(message: StartMessage): Promise<void> {
    const queue = message.throttled
      ? this.topology.throttledQueue(message.flow)
      : this.topology.startQueue(message.flow);
    this.enqueue(queue, message, 'send a start message');
  }

  async consumeThrottledStarts(
    flow: string,
    handler: MessageHandler<StartMessage>,
    options?: ConsumeOptions,
  ): Promise<void> {
    this.consume(this.topology.throttledQueue(flow), parseStartMessage, handler, options);
  }

  async queuedStarts(flow: string): Promise<number> {
    this.assertOpen('count queued starts');
    return (
      this.readyCount(this.topology.startQueue(flow)) + this.readyCount(this.topology.throttledQueue(flow))
    );
  }

  async sendCallback(message: CallbackMessage): Promise<void> {
    this.enqueue(this.topology.callbackQueue, message, 'send a callback message');
  }

  async consumeCallbacks(handler: MessageHandler<CallbackMessage>, options?: ConsumeOptions): Promise<void> {
    this.consume(this.topology.callbackQueue, parseCallbackMessage, handler, options);
  }

  async consumeEvents(
    subscriber: string,
    patterns: string[],
    handler: MessageHandler<LifecycleEvent>,
  ): Promise<void> {
    const queue = this.topology.eventQueue(subscriber);
    this.eventQueues.set(queue, [...(this.eventQueues.get(queue) ?? []), ...patterns]);
    this.consume(queue, parseLifecycleEvent, handler);
  }

  async consumeStarts(
    flow: string,
    handler: MessageHandler<StartMessage>,
    options?: ConsumeOptions,
  ): Promise<void> {
    this.consume(this.topology.startQueue(flow), parseStartMessage, handler, options);
  }

  async sendTask(message: TaskMessage): Promise<void> {
    this.enqueue(this.topology.taskQueue(message.flow, message.task), message, 'send a task message');
  }

  async consumeTasks(
    flow: string,
    task: string,
    handler: MessageHandler<TaskMessage>,
    options?: ConsumeOptions,
  ): Promise<void> {
    this.consume(this.topology.taskQueue(flow, task), parseTaskMessage, handler, options);
  }

  async sendReply(message: ReplyMessage): Promise<void> {
    this.enqueue(this.topology.replyQueue(message.flow), message, 'send a reply message');
  }

  async consumeReplies(
    flow: string,
    handler: MessageHandler<ReplyMessage>,
    options?: ConsumeOptions,
  ): Promise<void> {
    this.consume(this.topology.replyQueue(flow), parseReplyMessage, handler, options);
  }

  async sendResult(replyTo: string, message: ResultMessage): Promise<void> {
    this.enqueue(this.topology.resultQueue(replyTo), message, 'send a result message');
  }

  async consumeResults(replyTo: string, handler: MessageHandler<ResultMessage>): Promise<void> {
    this.consume(this.topology.resultQueue(replyTo), parseResultMessage, handler);
  }

  /** Hands a copy of the event to every {@link subscribeEvents} listener whose pattern matches. */
  async publishEvent(event: LifecycleEvent): Promise<void> {
    this.assertOpen('publish an event');
    const key = this.topology.eventKey(event.flow, event.type);
    const body = JSON.stringify(event);
    for (const [queue, patterns] of this.eventQueues) {
      if (patterns.some((pattern) => topicMatches(pattern, key))) this.push(queue, body);
    }
    for (const subscription of this.subscriptions) {
      if (!topicMatches(subscription.pattern, key)) continue;
      setImmediate(() => subscription.listener(JSON.parse(body) as LifecycleEvent));
    }
  }

  /**
   * Calls `listener` with every event published from now on whose routing key (`<flow>.<type>`) matches the
   * AMQP topic `pattern` (`*` one word, `#` any number of words), e.g. `booking.#`.
   * @returns a function that ends the subscription
   */
  subscribeEvents(pattern: string, listener: (event: LifecycleEvent) => void): () => void {
    const subscription: EventSubscription = { pattern, listener };
    this.subscriptions.add(subscription);
    return () => this.subscriptions.delete(subscription);
  }

  /**
   * Puts `body` on `queue` as is, without serialising or checking it: a test's way to deliver bytes that no
   * `send*` method would produce (e.g. invalid JSON).
   */
  injectRaw(queue: string, body: string): void {
    this.assertOpen('inject a message');
    this.push(queue, body);
  }

  /** Messages waiting in `queue` for a consumer (not counting those being handled). */
  readyCount(queue: string): number {
    return this.queues.get(queue)?.ready.length ?? 0;
  }

  /** Stops delivering, waits for the handlers under way, then drops what is left. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort();
      this.subscriptions.clear();
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    })();
    return this.closed;
  }

  private enqueue(queue: string, message: object, operation: string): void {
    this.assertOpen(operation);
    this.push(queue, JSON.stringify(message));
  }

  private push(queueName: string, body: string): void {
    const queue = this.queue(queueName);
    queue.ready.push({ body, delivery: 1 });
    this.schedulePump(queue);
  }

  private consume<M>(
    queueName: string,
    parse: MessageParser<M>,
    handler: MessageHandler<M>,
    options: ConsumeOptions = {},
  ): void {
    this.assertOpen('consume');
    const queue = this.queue(queueName);
    queue.consumers.push({
      prefetch: Math.max(1, options.prefetch ?? this.prefetch),
      unacked: 0,
      deliver: async (delivery) => {
        const outcome = await deliverMessage(delivery, parse, handler, this.limits);
        if (outcome.kind === 'retry') return { body: delivery.body, delivery: outcome.next };
        if (outcome.kind === 'dead-letter') {
          const { reason, deliveries } = outcome;
          this.deadLettered.push({ sourceQueue: queueName, reason, deliveries, body: delivery.body });
        }
        return undefined;
      },
    });
    this.schedulePump(queue);
  }

  private queue(name: string): MemoryQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = { name, ready: [], consumers: [], next: 0, pumpScheduled: false };
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Delivery always happens on a later turn of the event loop, never inside the caller's `send*`. */
  private schedulePump(queue: MemoryQueue): void {
    if (queue.pumpScheduled) return;
    queue.pumpScheduled = true;
    setImmediate(() => {
      queue.pumpScheduled = false;
      this.pump(queue);
    });
  }

  private pump(queue: MemoryQueue): void {
    while (!this.closing.signal.aborted && queue.ready.length > 0) {
      const consumer = this.nextConsumer(queue);
      if (!consumer) return;
      this.track(this.deliver(queue, consumer, queue.ready.shift() as Delivery));
    }
  }

  /** The next consumer in round-robin order that has room under its prefetch. */
  private nextConsumer(queue: MemoryQueue): MemoryConsumer | undefined {
    const count = queue.consumers.length;
    for (let i = 0; i < count; i++) {
      const index = (queue.next + i) % count;
      const consumer = queue.consumers[index];
      if (consumer.unacked < consumer.prefetch) {
        queue.next = (index + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }

  private async deliver(queue: MemoryQueue, consumer: MemoryConsumer, delivery: Delivery): Promise<void> {
    consumer.unacked++;
    try {
      const again = await consumer.deliver(delivery);
      if (again) {
        // As RabbitMqTransport republishes it: the message keeps its consumer slot while it waits, then goes
        // to the back of its queue with its delivery count.
        await sleep(this.redeliveryDelayMs, undefined, { signal: this.closing.signal }).catch(
          () => undefined,
        );
        queue.ready.push(again);
      }
    } finally {
      consumer.unacked--;
      this.schedulePump(queue);
    }
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    delivery.then(
      () => this.inFlight.delete(delivery),
      () => this.inFlight.delete(delivery),
    );
  }

  private assertOpen(operation: string): void {
    if (this.closing.signal.aborted) throw new TransportClosedError(operation);
  }
}

/** AMQP topic matching: words split on `.`, `*` matches one word, `#` zero or more. */
function topicMatches(pattern: string, key: string): boolean {
  const match = (p: string[], k: string[]): boolean => {
    if (p.length === 0) return k.length === 0;
    const [head, ...rest] = p;
    if (head === '#') return match(rest, k) || (k.length > 0 && match(p, k.slice(1)));
    if (k.length === 0) return false;
    return (head === '*' || head === k[0]) && match(rest, k.slice(1));
  };
  return match(pattern.split('.'), key.split('.'));
}
