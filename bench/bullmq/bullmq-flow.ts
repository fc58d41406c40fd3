import type { ConnectionOptions, DefaultJobOptions, FlowJob } from 'bullmq';
import type { ChildEnv } from '../child-env';
import {
  CEILING_STEPS,
  ceilingTaskInput,
  type CeilingContext,
  type CeilingTask,
} from '../ceiling/ceiling-flow';

/** The booking flow's steps and task inputs and outputs: the ceiling's (and DTA's). */
export const BULLMQ_STEPS = CEILING_STEPS;

/**
 * The orchestration queue: the jobs the orchestrator runs. `start` (added by the driver) and, once their
 * children completed, each step's join parent: `created` (after create-order), `booked` (after charge-payment
 * and reserve-stock) and `confirmed` (after confirm-order), whose completion the driver waits for.
 */
export const ORCHESTRATION_QUEUE = 'booking';

export type OrchestrationJob = 'start' | 'created' | 'booked' | 'confirmed';

/** The data of every orchestration job: what travels with the saga, as in the ceiling. */
export interface BookingJobData {
  sagaId: string;
  ctx: Omit<CeilingContext, 'replyTo'>;
}

/** The data of a task job. */
export interface TaskJobData {
  sagaId: string;
  step: number;
  task: CeilingTask;
  input: unknown;
  ctx: Omit<CeilingContext, 'replyTo'>;
}

/** Job id of a saga's orchestration job (custom ids must not contain `:`). */
export function bookingJobId(sagaId: string, job: OrchestrationJob): string {
  return `${sagaId}-${job}`;
}

/** What BullMQ needs of every Queue, Worker, FlowProducer and QueueEvents: Redis, and the run's key prefix. */
export function bullmqOptions(env: ChildEnv): { connection: ConnectionOptions; prefix: string } {
  // Workers block on Redis: BullMQ requires maxRetriesPerRequest null on their connections.
  return { connection: { url: env.redisUrl, maxRetriesPerRequest: null }, prefix: env.prefix };
}

/**
 * Every job is removed once completed or failed, after 24 h (finished sagas stay readable this long in DTA
 * and in the ceiling); a task that throws is retried, as DTA retries a failed task.
 */
export const JOB_OPTIONS: DefaultJobOptions = {
  removeOnComplete: { age: 86_400 },
  removeOnFail: { age: 86_400 },
  attempts: 3,
  backoff: { type: 'exponential', delay: 100 },
};

/**
 * The flow of one step: a join parent (`parent`, on the orchestration queue) whose children are the step's
 * tasks, each on its task's queue. BullMQ runs the parent once every child completed.
 */
export function stepFlow(
  sagaId: string,
  step: number,
  parent: OrchestrationJob,
  ctx: BookingJobData['ctx'],
): FlowJob {
  const data: BookingJobData = { sagaId, ctx };
  return {
    name: parent,
    queueName: ORCHESTRATION_QUEUE,
    data,
    opts: { ...JOB_OPTIONS, jobId: bookingJobId(sagaId, parent) },
    children: BULLMQ_STEPS[step].map((task) => {
      const taskData: TaskJobData = {
        sagaId,
        step,
        task,
        input: ceilingTaskInput(task, { ...ctx, replyTo: '' }),
        ctx,
      };
      return {
        name: task,
        queueName: task,
        data: taskData,
        opts: { ...JOB_OPTIONS, jobId: `${sagaId}-${task}` },
      };
    }),
  };
}
