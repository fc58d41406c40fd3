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
  replyAffinityMs: number;
}

/**
 * How {@link SagaTopology} maps onto RabbitMQ: exchange kinds, queue arguments and bindings. Every declaration
 * is idempotent (`assertExchange`, `assertQueue`, `bindQueue`) and durable.
 *
 * Every message for a queue (starts, tasks, replies, results, callbacks) goes through the direct exchange
 * `dta.commands` with the queue name as the routing key; events through the topic exchange `dta.events` with
 * `<flow>.<type>`; replies sent back to the orchestrator replica that sent the command through the direct
 * exchange `dta.replies` (see {@link replicaQueue}).
 */
export class RabbitMqTopology {
  constructor(
    readonly names: SagaTopology,
    private readonly settings: RabbitMqQueueSettings,
  ) {}

  /**
   * Declares the exchanges and the dead-letter queue. What `dta.replies` cannot route (a reply for a replica
   * whose queue is gone) takes its alternate exchange, the topic `dta.replies.unrouted`, to the flow's shared
   * reply queue (see {@link sharedReplyQueue}).
   */
  async declareShared(channel: Channel): Promise<void> {
    const durable: Options.AssertExchange = { durable: true };
    const { commandsExchange, eventsExchange, repliesExchange, unroutedRepliesExchange } = this.names;
    await Promise.all([
      channel.assertExchange(commandsExchange, 'direct', durable),
      channel.assertExchange(eventsExchange, 'topic', durable),
      channel.assertExchange(unroutedRepliesExchange, 'topic', durable),
      channel.assertExchange(repliesExchange, 'direct', {
        ...durable,
        alternateExchange: unroutedRepliesExchange,
      }),
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

  /**
   * One orchestrator replica's reply queue, bound to `dta.replies` under its own name: the replies to that
   * replica's commands come back to it, so that one replica sees every event of its sagas (its state cache
   * answers, and no two replicas race for one saga). Nothing is lost when the replica goes: a reply that waited
   * `replyAffinityMs` here moves on (message TTL, dead-lettered through `dta.commands`) to the flow's `shared`
   * queue, where any replica takes it, and the queue itself expires like an instance queue. With quorum
   * queues the move is at-least-once.
   */
  replicaQueue(shared: QueueAddress, replica: QueueAddress): QueueDeclaration {
    const quorum = this.settings.quorumQueues
      ? { 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' }
      : {};
    return {
      name: replica.name,
      options: this.queueOptions({
        ...this.expiry(replica),
        'x-message-ttl': this.settings.replyAffinityMs,
        'x-dead-letter-exchange': this.names.commandsExchange,
        'x-dead-letter-routing-key': shared.name,
        ...quorum,
      }),
      bindings: [{ exchange: this.names.repliesExchange, routingKey: replica.name }],
    };
  }

  /**
   * A flow's shared reply queue as a sender to a replica declares it: also bound to `dta.replies.unrouted` by
   * `<its name>.#`, so that a reply for a replica whose queue is gone (`<its name>.<instance>`) lands in it.
   * Flow names hold no dot, so no other flow's replica matches.
   */
  sharedReplyQueue(shared: QueueAddress): QueueDeclaration {
    const queue = this.queue(shared);
    const fallback = { exchange: this.names.unroutedRepliesExchange, routingKey: `${shared.name}.#` };
    return { ...queue, bindings: [...queue.bindings, fallback] };
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
