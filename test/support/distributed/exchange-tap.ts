import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';

/** A connection whose own queue gets a copy of what an exchange routes with some keys. */
export interface ExchangeTap {
  connection: ChannelModel;
  channel: Channel;
  /** The tap's own queue: bind it to more exchanges or keys to copy more. */
  queue: string;
}

/**
 * Binds a queue of its own (server-named, exclusive, auto-delete: it goes away with the connection) to
 * `exchange` with each of `routingKeys` and hands every message to `onMessage` (no acks). A broker restart
 * closes the connection: the tap then stops, without an error.
 */
export async function openExchangeTap(
  amqpUrl: string,
  exchange: string,
  routingKeys: string[],
  onMessage: (message: ConsumeMessage, channel: Channel) => void,
): Promise<ExchangeTap> {
  const connection = await connect(amqpUrl);
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    await channel.checkExchange(exchange);
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    for (const key of routingKeys) await channel.bindQueue(queue, exchange, key);
    await channel.consume(queue, (message) => message && onMessage(message, channel), { noAck: true });
    return { connection, channel, queue };
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}
