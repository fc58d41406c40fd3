import type { SagaTopology } from '@dta/saga';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { openExchangeTap } from '../support/distributed/exchange-tap';

/** Marks a copy the tap published, so that the tap (bound to the same keys) does not copy it again. */
export const COPY_HEADER = 'x-dta-fault-copy';

/**
 * Duplicates commands and replies on the wire: a queue of its own (server-named, exclusive) bound to the
 * commands exchange with the routing keys of the start, task and reply queues, and to the replies exchange
 * with those of the orchestrator replicas' reply queues, so it gets a copy of every such message; it
 * publishes each one once more to the exchange and key it came with, bytes and properties as received plus
 * {@link COPY_HEADER}. Consumers then see each message twice, the copy a little later. While it is bound, a
 * reply for one of those replicas whose queue is gone reaches the tap alone (and so does its copy), never the
 * replies exchange's alternate: open it only while those queues exist.
 */
export class DuplicatingTap {
  /** Copies published so far. */
  copies = 0;

  private connection?: ChannelModel;

  /** `queues`: on the commands exchange; `replicaQueues`: orchestrator replicas' reply queues. */
  static async open(
    amqpUrl: string,
    names: SagaTopology,
    queues: string[],
    replicaQueues: string[] = [],
  ): Promise<DuplicatingTap> {
    const tap = new DuplicatingTap();
    const opened = await openExchangeTap(amqpUrl, names.commandsExchange, queues, (message, channel) =>
      tap.copy(message, channel),
    );
    tap.connection = opened.connection;
    for (const key of replicaQueues) await opened.channel.bindQueue(opened.queue, names.repliesExchange, key);
    return tap;
  }

  /** Stops copying; the tap queue goes with the connection. */
  async close(): Promise<void> {
    await this.connection?.close().catch(() => undefined);
  }

  private copy(message: ConsumeMessage, channel: Channel): void {
    const headers = message.properties.headers ?? {};
    if (headers[COPY_HEADER] !== undefined) return;
    channel.publish(message.fields.exchange, message.fields.routingKey, message.content, {
      ...message.properties,
      headers: { ...headers, [COPY_HEADER]: true },
    });
    this.copies++;
  }
}
