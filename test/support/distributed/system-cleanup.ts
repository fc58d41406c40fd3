import { SagaTopology } from '@dta/saga';
import { connect } from 'amqplib';
import { deleteRabbitMqTopology } from '../infra-cleanup';

/**
 * Deletes what a distributed run declared under `prefix`: the flow's queues and exchanges, the dead-letter
 * and callback queues, and the result queue of every instance.
 */
export async function deleteDistributedTopology(
  amqpUrl: string,
  prefix: string,
  flow: { name: string; tasks: string[] },
  instanceIds: string[],
): Promise<void> {
  const [first, ...others] = instanceIds;
  await deleteRabbitMqTopology(amqpUrl, prefix, flow, first);
  const names = new SagaTopology(prefix);
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    for (const instance of others) await channel.deleteQueue(names.resultQueue(instance));
    await channel.close();
  } finally {
    await connection.close();
  }
}
