import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { hostChild } from '../child-host';
import { childEnv } from '../child-env';
import {
  bookingJobId,
  bullmqOptions,
  JOB_OPTIONS,
  ORCHESTRATION_QUEUE,
  type BookingJobData,
} from './bullmq-flow';

/**
 * Starts BullMQ sagas (a `start` job on the orchestration queue) and waits for each saga's last join job,
 * `confirmed`, to complete: one QueueEvents on the orchestration queue, its `completed` events matched by
 * job id (what `Job.waitUntilFinished` does, for a job added later by the orchestrator).
 */
hostChild(async () => {
  const env = childEnv();
  const options = bullmqOptions(env);
  const queue = new Queue<BookingJobData>(ORCHESTRATION_QUEUE, options);
  const events = new QueueEvents(ORCHESTRATION_QUEUE, options);
  const waiting = new Map<string, () => void>();
  events.on('completed', ({ jobId }) => {
    waiting.get(jobId)?.();
    waiting.delete(jobId);
  });
  await queue.waitUntilReady();
  await events.waitUntilReady();
  return {
    runSaga: async (i) => {
      const sagaId = randomUUID();
      const done = new Promise<void>((resolve) => waiting.set(bookingJobId(sagaId, 'confirmed'), resolve));
      const input = { productId: `room-${i % 100}`, quantity: 1 + (i % 3) };
      await queue.add(
        'start',
        { sagaId, ctx: { input } },
        { ...JOB_OPTIONS, jobId: bookingJobId(sagaId, 'start') },
      );
      await done;
    },
    stop: async () => {
      await events.close();
      await queue.close();
    },
  };
});
