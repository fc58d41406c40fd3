import { setTimeout as sleep } from 'node:timers/promises';
import {
  BrokerTransport,
  type BrokerTransportSettings,
  type OutgoingMessage,
  type QueueReceiver,
} from '../broker-transport';
import type { Delivery } from '../message-delivery';
import type { QueueAddress } from '../saga-channels';
import type { LifecycleEvent } from '../saga-messages';
import { topicMatches } from '../topic-matches';
import { TransportClosedError } from '../transport-closed.error';

/** Options of {@link MemoryTransport}. */
export interface MemoryTransportOptions extends BrokerTransportSettings {
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
 * In-process `SagaTransport` with the semantics of the RabbitMQ one, for the standalone app and tests:
 * - delivery is asynchronous (never inside `send*`), round-robin among the consumers of one queue, each bounded
 *   by its prefetch, and acknowledged only when the handler resolved;
 * - a handler that throws gets the message again after `redeliveryDelayMs`, at the back of its queue, up to
 *   `maxDeliveries` deliveries; a message over `maxMessageBytes` or `maxMessageDepth`, one that cannot be
 *   parsed, whose handler throws `InvalidMessageError`, or that failed its last delivery goes to
 *   {@link deadLetters} with the reason and its delivery count;
 * - messages are copied through JSON, so sender and handler never share an object; the `traceparent` header
 *   travels with each, as on a broker;
 * - messages wait in their queue until someone consumes it, like durable queues (results included).
 *
 * @example
 * const transport = new MemoryTransport();
 * await transport.consumeTasks('booking', 'create-order', async (task) => { ... });
 */
export class MemoryTransport extends BrokerTransport {
  private readonly redeliveryDelayMs: number;
  private readonly queues = new Map<string, MemoryQueue>();
  private readonly subscriptions = new Set<EventSubscription>();
  /** Durable event queues by name, with the patterns bound to each. */
  private readonly eventQueues = new Map<string, string[]>();
  private readonly deadLettered: MemoryDeadLetter[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly closing = new AbortController();

  constructor(options: MemoryTransportOptions = {}) {
    super(options);
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 50;
  }

  /** Messages set aside, oldest first (the dead-letter queue of this transport). */
  get deadLetters(): readonly MemoryDeadLetter[] {
    return this.deadLettered;
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
    if (this.isClosed) throw new TransportClosedError('inject a message');
    this.push(queue, body);
  }

  /** Messages waiting in `queue` for a consumer (not counting those being handled). */
  readyCount(queue: string): number {
    return this.queues.get(queue)?.ready.length ?? 0;
  }

  /** Nothing to connect to. */
  protected async connect(): Promise<void> {}

  /** Stops delivering, waits for the handlers under way, then drops what is left. */
  protected async disconnect(): Promise<void> {
    this.closing.abort();
    this.subscriptions.clear();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  protected async sendToQueue(queue: QueueAddress, message: OutgoingMessage): Promise<void> {
    this.push(queue.name, message.body, message.headers.traceparent);
  }

  protected async consumeQueue(queue: QueueAddress, receiver: QueueReceiver): Promise<void> {
    this.consume(queue.name, receiver);
  }

  /** Queues a copy on every bound event queue and hands one to every {@link subscribeEvents} listener. */
  protected async publishToTopic(key: string, message: OutgoingMessage): Promise<void> {
    for (const [queue, patterns] of this.eventQueues) {
      if (patterns.some((pattern) => topicMatches(pattern, key))) {
        this.push(queue, message.body, message.headers.traceparent);
      }
    }
    for (const subscription of this.subscriptions) {
      if (!topicMatches(subscription.pattern, key)) continue;
      setImmediate(() => subscription.listener(JSON.parse(message.body) as LifecycleEvent));
    }
  }

  protected async subscribeToTopic(
    queue: QueueAddress,
    patterns: readonly string[],
    receiver: QueueReceiver,
  ): Promise<void> {
    this.eventQueues.set(queue.name, [...(this.eventQueues.get(queue.name) ?? []), ...patterns]);
    this.consume(queue.name, receiver);
  }

  /** The dead-letter queue's count is of {@link deadLetters}, where this transport keeps them. */
  protected async countReady(queue: QueueAddress): Promise<number> {
    if (queue.name === this.topology.deadLetterQueue) return this.deadLettered.length;
    return this.readyCount(queue.name);
  }

  private push(queueName: string, body: string, traceparent?: string): void {
    const queue = this.queue(queueName);
    queue.ready.push(traceparent ? { body, delivery: 1, traceparent } : { body, delivery: 1 });
    this.schedulePump(queue);
  }

  private consume(queueName: string, receiver: QueueReceiver): void {
    const queue = this.queue(queueName);
    queue.consumers.push({
      prefetch: receiver.prefetch,
      unacked: 0,
      deliver: async (delivery) => {
        const outcome = await receiver.process(delivery);
        if (outcome.kind === 'retry') return { ...delivery, delivery: outcome.next };
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
}
