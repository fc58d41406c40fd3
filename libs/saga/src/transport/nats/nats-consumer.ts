// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient shim, which no import can bring in
/// <reference path="./nats-core-types.d.ts" />
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoggerService } from '@nestjs/common';
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import {
  type Delivery,
  DELIVERY_HEADER,
  deliveryFromHeader,
  describeError,
  type DeliveryOutcome,
  settleDelivery,
} from '../message-delivery';
import type { NatsQueue } from './nats-topology';

/**
 * How long one pull request waits for messages before the consumer pulls again. Short, so that a pull the
 * server forgot (it restarted) is renewed soon even if no reconnection is noticed.
 */
const PULL_EXPIRES_MS = 5000;
/** Server heartbeats while a pull waits; two missed end the pull with an error, and the consumer pulls again. */
const PULL_HEARTBEAT_MS = 1000;

/** What one {@link NatsConsumer} needs from its transport. */
export interface NatsConsumerOptions {
  queue: NatsQueue;
  prefetch: number;
  redeliveryDelayMs: number;
  ackWaitMs: number;
  /**
   * Creates the durable consumer if it does not exist (idempotent) and returns it; `again` after a failed pull,
   * when it may have been deleted meanwhile.
   */
  bind(again: boolean): Promise<Consumer>;
  /** Whether a message is for this consumer's handler; the others are acknowledged unread (event patterns). */
  accepts?(message: JsMsg): boolean;
  /** Checks, parses and handles one delivery (never throws). */
  process(delivery: Delivery): Promise<DeliveryOutcome>;
  /** Publishes the message to the dead-letter queue; resolves once JetStream stored it. */
  deadLetter(message: JsMsg, reason: string, deliveries: number): Promise<void>;
  /** Publishes a copy of the message to its queue as delivery `next`; resolves once JetStream stored it. */
  redeliver(message: JsMsg, next: number): Promise<void>;
  logger: LoggerService;
}

/**
 * Consumes one queue through its durable pull consumer, which the queue's other consumers (replicas) share,
 * so each message goes to one of them. It pulls only as many messages as it has free handler slots
 * (`prefetch`), so it never holds more than that, and another replica takes what it cannot, as a RabbitMQ
 * channel's prefetch. A pull that fails (the connection dropped, the server restarted, the consumer was
 * deleted) is followed, after `redeliveryDelayMs`, by the consumer declared again and a new pull.
 *
 * Each message is acknowledged only after its handler resolved, and reported in progress (`working()`) every
 * third of `ackWaitMs` meanwhile, so JetStream never redelivers a message a handler still holds. A bad one is
 * acknowledged once the dead-letter queue holds it. A failed one is, after `redeliveryDelayMs`, published again
 * to its queue with its delivery count in {@link DELIVERY_HEADER}, and acknowledged once JetStream stored the
 * copy; if the copy cannot be published, the original is negatively acknowledged (redelivered at once, its count
 * unchanged).
 */
export class NatsConsumer {
  private pull?: ConsumerMessages;
  private running?: Promise<void>;
  private stopped?: Promise<void>;
  private slotFreed?: () => void;
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: NatsConsumerOptions) {}

  /** Declares the durable consumer and starts pulling; rejects if the server refuses the consumer. */
  async start(): Promise<void> {
    this.running = this.run(await this.options.bind(false));
  }

  /** Ends the pull under way and starts a new one (after a reconnection: the server may have lost it). */
  renew(): void {
    this.pull?.stop();
  }

  /** Stops pulling, waits for the handlers under way (they acknowledge or give their message back). */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping.abort();
      this.pull?.stop();
      this.slotFreed?.();
      await this.running;
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    })();
    return this.stopped;
  }

  private get isStopping(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(first: Consumer): Promise<void> {
    let consumer = first;
    while (!this.isStopping) {
      const free = this.options.prefetch - this.inFlight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      try {
        const pull = await consumer.fetch({
          max_messages: free,
          expires: PULL_EXPIRES_MS,
          idle_heartbeat: PULL_HEARTBEAT_MS,
        });
        this.pull = pull;
        if (this.isStopping) pull.stop();
        for await (const message of pull) this.onMessage(message);
      } catch (error) {
        if (this.isStopping) break;
        this.options.logger.warn(
          `Pulling from ${this.options.queue.name} failed, pulling again: ${describeError(error)}`,
        );
        await this.pause();
        if (this.isStopping) break;
        try {
          consumer = await this.options.bind(true);
        } catch (bindError) {
          this.options.logger.error(
            `Consumer of ${this.options.queue.name} could not be declared: ${describeError(bindError)}`,
          );
        }
      } finally {
        this.pull = undefined;
      }
    }
  }

  private onMessage(message: JsMsg): void {
    if (this.isStopping) {
      settle(message, 'nak'); // at once to another consumer, not after the ack wait
      return;
    }
    const handling = this.handle(message).catch((error: unknown) => {
      this.options.logger.error(
        `Message on ${this.options.queue.name} left unsettled: ${describeError(error)}`,
      );
    });
    this.inFlight.add(handling);
    void handling.finally(() => {
      this.inFlight.delete(handling);
      this.slotFreed?.();
      this.slotFreed = undefined;
    });
  }

  private async handle(message: JsMsg): Promise<void> {
    const keepAlive = setInterval(
      () => settle(message, 'working'),
      Math.max(100, this.options.ackWaitMs / 3),
    );
    try {
      await this.settleByOutcome(message);
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async settleByOutcome(message: JsMsg): Promise<void> {
    if (this.options.accepts && !this.options.accepts(message)) {
      settle(message, 'ack');
      return;
    }
    const delivery = deliveryFromHeader(message.headers?.get(DELIVERY_HEADER));
    const traceparent = message.headers?.get('traceparent') || undefined;
    const outcome = await this.options.process({ body: message.string(), delivery, traceparent });
    await settleDelivery(outcome, {
      queue: this.options.queue.name,
      logger: this.options.logger,
      ack: () => settle(message, 'ack'),
      requeue: () => settle(message, 'nak'),
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
}

/**
 * Acknowledges, negatively acknowledges or reports progress; on a connection that closed meanwhile nothing
 * reaches the server, which delivers the message again once its ack wait expires.
 */
function settle(message: JsMsg, how: 'ack' | 'nak' | 'working'): void {
  try {
    if (how === 'ack') message.ack();
    else if (how === 'nak') message.nak();
    else message.working();
  } catch {
    // closed connection
  }
}
