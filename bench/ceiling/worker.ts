import { hostChild } from '../child-host';
import { childEnv } from '../child-env';
import { CeilingQueues, connectAmqp, consumeJson, declareQueues, publishConfirmed } from './ceiling-amqp';
import { CEILING_STEPS, ceilingTaskOutput, type CeilingTaskMessage } from './ceiling-flow';

/** The ceiling's task worker: one consumer per task queue, replies at once (persistent, confirmed). */
hostChild(async () => {
  const { prefix, amqpUrl, prefetch } = childEnv();
  const queues = new CeilingQueues(prefix);
  const connection = await connectAmqp(amqpUrl);
  const publisher = await connection.createConfirmChannel();
  await declareQueues(publisher, queues.all(CEILING_STEPS.flat()));
  for (const task of CEILING_STEPS.flat()) {
    await consumeJson<CeilingTaskMessage>(connection, queues.task(task), prefetch, (message) =>
      publishConfirmed(publisher, queues.replies, {
        sagaId: message.sagaId,
        step: message.step,
        task: message.task,
        output: ceilingTaskOutput(message),
        ctx: message.ctx,
      }),
    );
  }
  return { stop: () => connection.close() };
});
