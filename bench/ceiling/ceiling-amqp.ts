import { connect, type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { CeilingTask } from './ceiling-flow';

/** Queue names of the ceiling under the run's prefix; all durable, on the default exchange. */
export class CeilingQueues {
  constructor(readonly prefix: string) {}

  get start(): string {
    return `${this.prefix}.start`;
  }
  get replies(): string {
    return `${this.prefix}.replies`;
  }
  get results(): string {
    return `${this.prefix}.results`;
  }
  task(task: CeilingTask): string {
    return `${this.prefix}.${task}`;
  }
  all(tasks: readonly CeilingTask[]): string[] {
    return [this.start, this.replies, this.results, ...tasks.map((task) => this.task(task))];
  }
}

/** A connection with TCP_NODELAY, as the library's transport opens it. */
export function connectAmqp(url: string): Promise<ChannelModel> {
  return connect(url, { noDelay: true });
}

export async function declareQueues(channel: Channel, queues: readonly string[]): Promise<void> {
  for (const queue of queues) await channel.assertQueue(queue, { durable: true });
}

/** Publishes persistent JSON and resolves once the broker confirmed it. */
export function publishConfirmed(channel: ConfirmChannel, queue: string, message: object): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.sendToQueue(
      queue,
      Buffer.from(JSON.stringify(message)),
      { persistent: true, contentType: 'application/json' },
      (error: unknown) =>
        error ? reject(error instanceof Error ? error : new Error('the broker did not confirm')) : resolve(),
    );
  });
}

/**
 * Consumes `queue` on a channel of its own with `prefetch`, running `handle` on each message's JSON and
 * acknowledging once it resolved (requeueing if it threw).
 */
export async function consumeJson<M>(
  connection: ChannelModel,
  queue: string,
  prefetch: number,
  handle: (message: M) => Promise<void>,
): Promise<void> {
  const channel = await connection.createChannel();
  await channel.prefetch(prefetch);
  await channel.consume(queue, (delivery) => {
    if (!delivery) return;
    handle(JSON.parse(delivery.content.toString('utf8')) as M).then(
      () => channel.ack(delivery),
      (error: unknown) => {
        process.stderr.write(`ceiling: handler of ${queue} failed: ${String(error)}\n`);
        channel.nack(delivery, false, true);
      },
    );
  });
}
