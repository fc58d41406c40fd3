import { Worker } from 'bullmq';
import { hostChild } from '../child-host';
import { childEnv } from '../child-env';
import { ceilingTaskOutput } from '../ceiling/ceiling-flow';
import { BULLMQ_STEPS, bullmqOptions, type TaskJobData } from './bullmq-flow';

/** The BullMQ task workers: one Worker per task queue, each returning the no-op handler's output at once. */
hostChild(async () => {
  const env = childEnv();
  const options = bullmqOptions(env);
  const workers = BULLMQ_STEPS.flat().map(
    (task) =>
      new Worker<TaskJobData>(
        task,
        async (job) => ceilingTaskOutput({ ...job.data, ctx: { ...job.data.ctx, replyTo: '' } }),
        { ...options, concurrency: env.prefetch },
      ),
  );
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  return { stop: async () => void (await Promise.all(workers.map((worker) => worker.close()))) };
});
