import { FlowProducer, Worker, type Job } from 'bullmq';
import { hostChild } from '../child-host';
import { childEnv } from '../child-env';
import {
  bullmqOptions,
  ORCHESTRATION_QUEUE,
  stepFlow,
  type BookingJobData,
  type OrchestrationJob,
} from './bullmq-flow';

/**
 * The BullMQ orchestrator, as a team using BullMQ flows would write it: a worker on the orchestration queue.
 * `start` adds step 1's flow (create-order under the join parent `created`); `created` reads create-order's
 * output from its children's values and adds step 2's flow (charge-payment and reserve-stock under the join
 * `booked`); `booked` adds step 3's (confirm-order under `confirmed`); `confirmed` completes, and the
 * driver sees it through QueueEvents.
 */
hostChild(async () => {
  const env = childEnv();
  const options = bullmqOptions(env);
  const flows = new FlowProducer(options);
  const advance = async (job: Job<BookingJobData, unknown, OrchestrationJob>): Promise<unknown> => {
    const { sagaId, ctx } = job.data;
    switch (job.name) {
      case 'start':
        await flows.add(stepFlow(sagaId, 0, 'created', ctx));
        return null;
      case 'created': {
        const outputs = Object.values(await job.getChildrenValues<{ orderId: string }>());
        const orderId = outputs[0]?.orderId;
        if (!orderId) throw new Error(`saga ${sagaId}: create-order returned no orderId`);
        await flows.add(stepFlow(sagaId, 1, 'booked', { ...ctx, orderId }));
        return null;
      }
      case 'booked':
        await flows.add(stepFlow(sagaId, 2, 'confirmed', ctx));
        return null;
      case 'confirmed':
        return { sagaId, status: 'completed' };
    }
  };
  const worker = new Worker<BookingJobData, unknown, OrchestrationJob>(ORCHESTRATION_QUEUE, advance, {
    ...options,
    concurrency: env.prefetch,
  });
  worker.on('failed', (job, error) =>
    process.stderr.write(
      `bullmq: ${job?.name ?? '?'} of ${job?.data.sagaId ?? '?'} failed: ${error.message}\n`,
    ),
  );
  await worker.waitUntilReady();
  await flows.waitUntilReady();
  return {
    stop: async () => {
      await worker.close();
      await flows.close();
    },
  };
});
