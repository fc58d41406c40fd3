import { setTimeout as sleep } from 'node:timers/promises';
import type { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { LoggerService } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import {
  type Delivery,
  DELIVERY_HEADER,
  deliveryFromHeader,
  describeError,
  type DeliveryOutcome,
  settleDelivery,
} from '../message-delivery';
import { ChannelAcks } from './rabbitmq-channel-acks';
import type { QueueDeclaration } from './rabbitmq-topology';

/** Longest wait for one step of closing (cancel a consumer, close a channel or the connection). */
export const CLOSE_STEP_MS = 2000;

type ManagedConnection = AmqpConnection['managedConnection'];
type ManagedChannel = ReturnType<ManagedConnection['createChannel']>;

/** What one {@link RabbitMqConsumer} needs from its transport. */
export interface RabbitMqConsumerOptions {
  connection: ManagedConnection;
  queue: QueueDeclaration;
  /** Declares the queue on the consumer's channel, on every (re)connection. */
  declare(channel: Channel, queue: QueueDeclaration): Promise<void>;
  prefetch: number;
  redeliveryDelayMs: number;
  /** Checks, parses and handles one delivery (never throws). */
  process(delivery: Delivery): Promise<DeliveryOutcome>;
  /** Publishes the message to the dead-letter queue; resolves once the broker confirmed. */
  deadLetter(message: ConsumeMessage, reason: string, deliveries: number): Promise<void>;
  /** Publishes a copy of the message to its queue as delivery `next`; resolves once the broker confirmed. */
  redeliver(message: ConsumeMessage, next: number): Promise<void>;
  logger: LoggerService;
}

/**
 * Consumes one queue on a channel of its own, so its prefetch bounds only its handlers. The channel is a
 * managed one: after a reconnection its setup declares the queue and consumes again. A channel the broker closed
 * on its own (a channel error, or the queue deleted) is replaced after `redeliveryDelayMs`.
 *
 * Each message is acknowledged on the channel it came from, only after its handler resolved (a turn's acks
 * together, see {@link ChannelAcks}); a bad message is
 * acknowledged once the dead-letter queue holds it. A failed one is, after `redeliveryDelayMs`, published again
 * to its queue with its delivery count in {@link DELIVERY_HEADER}, and acknowledged once the broker confirmed
 * the copy: classic queues count no deliveries, so the count travels with the message. If the copy cannot be
 * published, the original is requeued (its count unchanged).
 */
export class RabbitMqConsumer {
  private managed?: ManagedChannel;
  private current?: { channel: Channel; consumerTag: string; acks: ChannelAcks };
  private started = false;
  private rebuildTimer?: NodeJS.Timeout;
  private abortOpen?: (error: Error) => void;
  private stopped?: Promise<void>;
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: RabbitMqConsumerOptions) {}

  /** Declares the queue and starts consuming; rejects if the broker refuses either. */
  async start(): Promise<void> {
    await this.open();
    this.started = true;
  }

  /** Cancels the consumer, waits for the handlers under way (they ack or requeue), closes the channel. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping.abort();
      clearTimeout(this.rebuildTimer);
      this.abortOpen?.(new Error(`Consumer of ${this.options.queue.name} stopped before it started`));
      const current = this.current;
      if (current) await quietlyWithin(CLOSE_STEP_MS, () => current.channel.cancel(current.consumerTag));
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
      current?.acks.flush();
      await quietlyWithin(CLOSE_STEP_MS, () => this.managed?.close());
    })();
    return this.stopped;
  }

  /** Creates the managed channel; resolves or rejects with the outcome of its first setup. */
  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      let first = true;
      this.abortOpen = reject;
      const managed = this.options.connection.createChannel({
        name: `dta:${this.options.queue.name}`,
        confirm: false,
        setup: async (channel: Channel) => {
          try {
            await this.setup(channel);
            if (first) resolve();
          } catch (error) {
            if (first) reject(error instanceof Error ? error : new Error(String(error)));
            throw error;
          } finally {
            first = false;
          }
        },
      });
      managed.on('error', (error: Error) => {
        this.options.logger.error(
          `Consumer of ${this.options.queue.name} could not be set up: ${error.message}`,
        );
      });
      this.managed = managed;
    });
  }

  private async setup(channel: Channel): Promise<void> {
    if (this.stopping.signal.aborted) return;
    // Without a listener, a channel error would be thrown as an uncaught exception.
    channel.on('error', (error: Error) => this.onChannelError(error));
    await this.options.declare(channel, this.options.queue);
    await channel.prefetch(this.options.prefetch);
    // Deliveries may come before consume() resolves: their acks need the channel's set already.
    const acks = new ChannelAcks(channel);
    const { consumerTag } = await channel.consume(
      this.options.queue.name,
      (message) => this.onMessage(acks, message),
      { noAck: false },
    );
    this.current = { channel, consumerTag, acks };
  }

  private onMessage(acks: ChannelAcks, message: ConsumeMessage | null): void {
    if (message === null) {
      this.options.logger.warn(`Consumer of ${this.options.queue.name} was cancelled by the broker`);
      this.scheduleRebuild();
      return;
    }
    acks.received(message.fields.deliveryTag);
    if (this.stopping.signal.aborted) {
      acks.requeue(message.fields.deliveryTag);
      return;
    }
    const handling = this.handle(acks, message).catch((error) => {
      this.options.logger.error(
        `Message on ${this.options.queue.name} left unsettled: ${describeError(error)}`,
      );
    });
    this.inFlight.add(handling);
    void handling.finally(() => this.inFlight.delete(handling));
  }

  private async handle(acks: ChannelAcks, message: ConsumeMessage): Promise<void> {
    const headers = message.properties.headers ?? {};
    const outcome = await this.options.process({
      body: message.content.toString('utf8'),
      delivery: deliveryFromHeader(headers[DELIVERY_HEADER]),
      traceparent: traceparentOf(headers.traceparent),
    });
    await settleDelivery(outcome, {
      queue: this.options.queue.name,
      logger: this.options.logger,
      ack: () => acks.ack(message.fields.deliveryTag),
      requeue: () => acks.requeue(message.fields.deliveryTag),
      deadLetter: (reason, deliveries) => this.options.deadLetter(message, reason, deliveries),
      redeliver: (next) => this.options.redeliver(message, next),
      pause: () => this.pause(),
    });
  }

  /** Waits `redeliveryDelayMs`, or less if the consumer stops meanwhile. */
  private async pause(): Promise<void> {
    await sleep(this.options.redeliveryDelayMs, undefined, { signal: this.stopping.signal }).catch(
      () => undefined,
    );
  }

  private onChannelError(error: Error): void {
    this.options.logger.error(
      `Channel of the consumer of ${this.options.queue.name} failed: ${error.message}`,
    );
    // The first setup's failure is reported to the caller of start() instead.
    if (this.started) this.scheduleRebuild();
  }

  /** Replaces the managed channel: it does not reopen a channel the broker closed while the connection lives. */
  private scheduleRebuild(): void {
    if (this.stopping.signal.aborted || this.rebuildTimer) return;
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = undefined;
      void this.rebuild();
    }, this.options.redeliveryDelayMs);
  }

  private async rebuild(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const old = this.managed;
    this.current = undefined;
    await quietlyWithin(CLOSE_STEP_MS, () => old?.close());
    if (this.stopping.signal.aborted) return;
    await this.open().catch(() => this.scheduleRebuild());
  }
}

/** The `traceparent` header as amqplib gives it: a string, or the bytes of a long string sent as such. */
function traceparentOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
}

/**
 * Runs a closing step (cancel, close), ignoring its errors and giving up after `ms`: amqplib never settles a
 * channel operation started while the connection was dying.
 * @returns whether the step finished in time
 */
export async function quietlyWithin(ms: number, work: () => Promise<unknown> | undefined): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = (async () => {
    try {
      await work();
    } catch {
      // Closing or cancelling on a channel that is already gone.
    }
    return true as const;
  })();
  try {
    return await Promise.race([done, expired]);
  } finally {
    clearTimeout(timer);
  }
}
