import { NatsTransport, SagaTopology, type SagaTransportName } from '@dta/saga';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { connect } from 'amqplib';
import Redis, { Cluster } from 'ioredis';
import { AMQP_URL, NATS_URL, REDIS_CLUSTER_NODES, REDIS_URL } from './e2e-infra';

/**
 * Deletes what a test run declared on its broker under `prefix`: on RabbitMQ the flow's queues and exchanges
 * and the result queue of every instance; on NATS the prefix's streams (with their consumers and messages).
 */
export async function deleteBrokerTopology(
  transport: SagaTransportName,
  prefix: string,
  flow: { name: string; tasks: string[] },
  instanceIds: string[],
): Promise<void> {
  if (transport === 'rabbitmq') {
    for (const [i, instance] of instanceIds.entries()) {
      // The first call deletes the shared queues and exchanges too; the others only their instance queues.
      if (i === 0) await deleteRabbitMqTopology(AMQP_URL, prefix, flow, instance);
      else
        await deleteRabbitMqQueues(AMQP_URL, instanceQueues(new SagaTopology(prefix), flow.name, instance));
    }
  }
  if (transport === 'nats') await deleteNatsStreams(NATS_URL, prefix);
}

/** Deletes the JetStream streams of `prefix`. */
export async function deleteNatsStreams(natsUrl: string, prefix: string): Promise<void> {
  const { queuesStream, resultsStream, eventsStream } = new NatsTransport({ url: natsUrl, prefix }).streams;
  const nc = await connectNats({ servers: natsUrl, name: 'dta-test-cleanup' });
  try {
    const jsm = await jetstreamManager(nc);
    for (const stream of [queuesStream, resultsStream, eventsStream]) {
      await jsm.streams.delete(stream).catch(() => false);
    }
  } finally {
    await nc.close();
  }
}

/** The queues of one instance: its results, and its replies as an orchestrator replica of `flow`. */
function instanceQueues(names: SagaTopology, flow: string, instance: string): string[] {
  return [names.resultQueue(instance), names.replicaReplyQueue(flow, instance)];
}

/** Deletes `queues` (missing ones are fine). */
async function deleteRabbitMqQueues(amqpUrl: string, queues: string[]): Promise<void> {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
    await channel.close();
  } finally {
    await connection.close();
  }
}

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
    ...instanceQueues(names, flow.name, instanceId),
    names.deadLetterQueue,
  ];
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
    const { commandsExchange, eventsExchange, repliesExchange, unroutedRepliesExchange } = names;
    for (const exchange of [commandsExchange, eventsExchange, repliesExchange, unroutedRepliesExchange]) {
      await channel.deleteExchange(exchange);
    }
    await channel.close();
  } finally {
    await connection.close();
  }
}

/** Deletes what a test run wrote under `prefix:` to the store it used (nothing for the memory store). */
export async function deleteStoreKeys(
  store: 'memory' | 'redis' | 'redis-cluster',
  prefix: string,
): Promise<void> {
  if (store === 'redis') await deleteRedisKeys(REDIS_URL, prefix);
  if (store === 'redis-cluster') await deleteRedisClusterKeys(REDIS_CLUSTER_NODES.split(','), prefix);
}

/** Deletes every key under `prefix:` from every master of a Redis Cluster, one DEL per key (slots differ). */
export async function deleteRedisClusterKeys(nodes: string[], prefix: string): Promise<number> {
  const cluster = new Cluster(nodes, { lazyConnect: true });
  await cluster.connect();
  let deleted = 0;
  try {
    for (const node of cluster.nodes('master')) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        for (const key of keys) deleted += await node.del(key);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    cluster.disconnect();
  }
  return deleted;
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
