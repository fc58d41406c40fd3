import { randomUUID } from 'node:crypto';
import { hostChild } from '../child-host';
import { childEnv } from '../child-env';
import { CeilingQueues, connectAmqp, consumeJson, declareQueues, publishConfirmed } from './ceiling-amqp';
import { CEILING_STEPS, type CeilingResult } from './ceiling-flow';

/** Starts ceiling sagas (persistent, confirmed) and waits for each result on its own queue. */
hostChild(async () => {
  const { prefix, amqpUrl, prefetch } = childEnv();
  const queues = new CeilingQueues(prefix);
  const connection = await connectAmqp(amqpUrl);
  const publisher = await connection.createConfirmChannel();
  const waiting = new Map<string, () => void>();
  await declareQueues(publisher, queues.all(CEILING_STEPS.flat()));
  await consumeJson<CeilingResult>(connection, queues.results, prefetch, async (result) => {
    waiting.get(result.sagaId)?.();
    waiting.delete(result.sagaId);
  });
  return {
    runSaga: async (i) => {
      const sagaId = randomUUID();
      const done = new Promise<void>((resolve) => waiting.set(sagaId, resolve));
      const input = { productId: `room-${i % 100}`, quantity: 1 + (i % 3) };
      await publishConfirmed(publisher, queues.start, { sagaId, input, replyTo: queues.results });
      await done;
    },
    stop: () => connection.close(),
  };
});
