import type { Channel, Options } from 'amqplib';
import type { QueueAddress } from '../saga-channels';
import { SagaTopology } from '../saga-topology';

/** A queue with its arguments and bindings, declared the same way by senders and consumers. */
export interface QueueDeclaration {
  readonly name: string;
  readonly options: Options.AssertQueue;
  readonly bindings: readonly { exchange: string; routingKey: string }[];
}

/** Queue arguments that must match wherever a queue is declared. */
export interface RabbitMqQueueSettings {
  quorumQueues: boolean;
  instanceQueueExpiresMs: number;
}

/**
 * How {@link SagaTopology} maps onto RabbitMQ: exchange kinds, queue arguments and bindings. Every declaration
 * is idempotent (`assertExchange`, `assertQueue`, `bindQueue`) and durable.
 *
 * Every message for a queue (starts, tasks, replies, results, callbacks) goes through the direct exchange
 * `dta.commands` with the queue name as the routing key; events through the topic exchange `dta.events` with
 * `<flow>.<type>`.
 */
export class RabbitMqTopology {
  constructor(
    readonly names: SagaTopology,
    private readonly settings: RabbitMqQueueSettings,
  ) {}

  /** Declares the two exchanges and the dead-letter queue. */
  async declareShared(channel: Channel): Promise<void> {
    const durable: Options.AssertExchange = { durable: true };
    await Promise.all([
      channel.assertExchange(this.names.commandsExchange, 'direct', durable),
      channel.assertExchange(this.names.eventsExchange, 'topic', durable),
    ]);
    await this.declareQueue(channel, this.deadLetterQueue());
  }

  /** Declares `queue` and its bindings (the exchanges must exist). */
  async declareQueue(channel: Channel, queue: QueueDeclaration): Promise<void> {
    await channel.assertQueue(queue.name, queue.options);
    await this.bindQueue(channel, queue);
  }

  /** Binds an existing `queue` (bindings have no arguments to disagree on). */
  async bindQueue(channel: Channel, queue: QueueDeclaration): Promise<void> {
    for (const { exchange, routingKey } of queue.bindings) {
      await channel.bindQueue(queue.name, exchange, routingKey);
    }
  }

  deadLetterQueue(): QueueDeclaration {
    return { name: this.names.deadLetterQueue, options: this.queueOptions(), bindings: [] };
  }

  /**
   * A queue of the channel table, bound to the commands exchange under its own name. An `instance` queue
   * (a caller's results) is neither exclusive nor auto-delete, so what is sent while its instance reconnects
   * waits for it; `x-expires` removes it once the instance has been gone `instanceQueueExpiresMs`.
   */
  queue(address: QueueAddress): QueueDeclaration {
    return {
      name: address.name,
      options: this.queueOptions(this.expiry(address)),
      bindings: [{ exchange: this.names.commandsExchange, routingKey: address.name }],
    };
  }

  /** A subscriber's event queue, bound to the events exchange with each of its patterns; expires like results. */
  eventQueue(address: QueueAddress, patterns: readonly string[]): QueueDeclaration {
    return {
      name: address.name,
      options: this.queueOptions(this.expiry(address)),
      bindings: patterns.map((routingKey) => ({ exchange: this.names.eventsExchange, routingKey })),
    };
  }

  private expiry(address: QueueAddress): Record<string, unknown> {
    return address.lifetime === 'instance' ? { 'x-expires': this.settings.instanceQueueExpiresMs } : {};
  }

  private queueOptions(extra: Record<string, unknown> = {}): Options.AssertQueue {
    const type = this.settings.quorumQueues ? { 'x-queue-type': 'quorum' } : {};
    return { durable: true, exclusive: false, autoDelete: false, arguments: { ...type, ...extra } };
  }
}
