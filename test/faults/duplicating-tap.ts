import type { SagaTopology } from '@dta/saga';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { openExchangeTap } from '../support/distributed/exchange-tap';

/** Marks a copy the tap published, so that the tap (bound to the same keys) does not copy it again. */
export const COPY_HEADER = 'x-dta-fault-copy';

/**
 * Duplicates commands and replies on the wire: a queue of its own (server-named, exclusive) bound to the
 * commands exchange with the routing keys of the start, task and reply queues, so it gets a copy of every
 * such message; it publishes each one once more to the same exchange and key, bytes and properties as
 * received plus {@link COPY_HEADER}. Consumers then see each message twice, the copy a little later.
 */
export class DuplicatingTap {
  /** Copies published so far. */
  copies = 0;

  private connection?: ChannelModel;

  private constructor(private readonly exchange: string) {}

  static async open(amqpUrl: string, names: SagaTopology, queues: string[]): Promise<DuplicatingTap> {
    const tap = new DuplicatingTap(names.commandsExchange);
    const opened = await openExchangeTap(amqpUrl, names.commandsExchange, queues, (message, channel) =>
      tap.copy(message, channel),
    );
    tap.connection = opened.connection;
    return tap;
  }

  /** Stops copying; the tap queue goes with the connection. */
  async close(): Promise<void> {
    await this.connection?.close().catch(() => undefined);
  }

  private copy(message: ConsumeMessage, channel: Channel): void {
    const headers = message.properties.headers ?? {};
    if (headers[COPY_HEADER] !== undefined) return;
    channel.publish(this.exchange, message.fields.routingKey, message.content, {
      ...message.properties,
      headers: { ...headers, [COPY_HEADER]: true },
    });
    this.copies++;
  }
}
