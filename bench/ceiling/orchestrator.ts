import Redis from 'ioredis';
import { hostChild } from '../child-host';
import { childEnv } from '../child-env';
import { CeilingQueues, connectAmqp, consumeJson, declareQueues, publishConfirmed } from './ceiling-amqp';
import {
  CEILING_STEPS,
  ceilingTaskInput,
  type CeilingContext,
  type CeilingReply,
  type CeilingStart,
} from './ceiling-flow';

/** Finished sagas stay readable this long, as in the library (24 h). */
const RETENTION_MS = 86_400_000;

/**
 * The ceiling: the least an orchestrator on RabbitMQ + Redis must do for this flow, written by hand. Per saga:
 * one Redis write on start and one per reply (a MULTI: store the output and count the step's replies), the
 * tasks of each step published persistent with confirms, the result published to the driver. No engine, no
 * timers, no outbox, no events, no barrier: what DTA does beyond this is what it costs.
 */
hostChild(async () => {
  const { prefix, amqpUrl, redisUrl, prefetch } = childEnv();
  const queues = new CeilingQueues(prefix);
  const connection = await connectAmqp(amqpUrl);
  const publisher = await connection.createConfirmChannel();
  await declareQueues(publisher, queues.all(CEILING_STEPS.flat()));
  const redis = new Redis(redisUrl);
  const key = (sagaId: string): string => `${prefix}:{${sagaId}}`;

  const dispatch = async (sagaId: string, step: number, ctx: CeilingContext): Promise<void> => {
    if (step === CEILING_STEPS.length) {
      await publishConfirmed(publisher, ctx.replyTo, { sagaId, status: 'completed' });
      return;
    }
    await Promise.all(
      CEILING_STEPS[step].map((task) =>
        publishConfirmed(publisher, queues.task(task), {
          sagaId,
          step,
          task,
          input: ceilingTaskInput(task, ctx),
          ctx,
        }),
      ),
    );
  };

  await consumeJson<CeilingStart>(connection, queues.start, prefetch, async (start) => {
    await redis.hset(key(start.sagaId), 'input', JSON.stringify(start.input));
    await dispatch(start.sagaId, 0, { input: start.input, replyTo: start.replyTo });
  });

  await consumeJson<CeilingReply>(connection, queues.replies, prefetch, async (reply) => {
    const progress = redis
      .multi()
      .hset(key(reply.sagaId), reply.task, JSON.stringify(reply.output))
      .hincrby(key(reply.sagaId), `step:${reply.step}`, 1);
    if (reply.step === CEILING_STEPS.length - 1) progress.pexpire(key(reply.sagaId), RETENTION_MS);
    const results = await progress.exec();
    if (Number(results?.[1]?.[1]) < CEILING_STEPS[reply.step].length) return;
    const ctx =
      reply.task === 'create-order'
        ? { ...reply.ctx, orderId: (reply.output as { orderId: string }).orderId }
        : reply.ctx;
    await dispatch(reply.sagaId, reply.step + 1, ctx);
  });

  return {
    stop: async () => {
      await connection.close();
      await redis.quit();
    },
  };
});
