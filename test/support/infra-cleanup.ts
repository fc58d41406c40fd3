import { SagaTopology } from '@dta/saga';
import { connect } from 'amqplib';
import Redis from 'ioredis';

/** Deletes the queues and exchanges a test run declared under `prefix` (one flow, its tasks, one instance). */
export async function deleteRabbitMqTopology(
  amqpUrl: string,
  prefix: string,
  flow: { name: string; tasks: string[] },
  instanceId: string,
): Promise<void> {
  const names = new SagaTopology(prefix);
  const queues = [
    names.startQueue(flow.name),
    names.throttledQueue(flow.name),
    names.callbackQueue,
    names.replyQueue(flow.name),
    ...flow.tasks.map((task) => names.taskQueue(flow.name, task)),
    names.resultQueue(instanceId),
    names.deadLetterQueue,
  ];
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
    for (const exchange of [names.commandsExchange, names.eventsExchange]) {
      await channel.deleteExchange(exchange);
    }
    await channel.close();
  } finally {
    await connection.close();
  }
}

/** Deletes every Redis key under `prefix:`. */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
