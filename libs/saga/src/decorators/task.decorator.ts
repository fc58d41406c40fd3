import { SetMetadata } from '@nestjs/common';
import type { AnyTaskRef, TaskRef } from '../definition/saga-contract';
import type { CompensationContext, TaskRunContext } from '../interfaces/task-context.interface';
import { TASK_HANDLER_METADATA } from '../saga.constants';

export interface TaskHandlerMetadata {
  kind: 'task' | 'compensate';
  flow: string;
  /** Wire name (or property name, in the string form) of the task. */
  task: string;
  /** The contract's reference, when the decorator was given one: its options travel with it. */
  ref?: AnyTaskRef;
}

type TaskTarget = AnyTaskRef | string;

/** A method decorator that only fits methods of type `M`: a wrong handler signature does not compile. */
export type TypedMethodDecorator<M> = <T extends M>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<T>,
) => void;

/**
 * Signature a `@Task` handler must have, with or without parameter decorators (`@SagaPayload()` may give a
 * DTO class of the same shape as `I`).
 */
export type TaskHandler<I, O> = (input: I, context: TaskRunContext) => O | Promise<O>;

/**
 * Signature a `@Compensate` handler must have: its context, then (optional) the task input, which is
 * `context.input`; with parameter decorators, `@SagaCtx()` first and `@SagaPayload()` second.
 */
export type CompensationHandler<I, O> = (context: CompensationContext<I, O>, input: I) => unknown;

function handlerMetadata(
  kind: TaskHandlerMetadata['kind'],
  target: TaskTarget,
  task?: string,
): TaskHandlerMetadata {
  if (typeof target === 'string') return { kind, flow: target, task: task ?? '' };
  return { kind, flow: target.flow, task: target.name, ref: target };
}

/**
 * Runs a task of a flow: the method receives the task input and a `TaskRunContext` (sagaId, traceId, flow,
 * step, task, attempt) and returns the task's JSON output. Throw `TaskRejectedError` to fail for good; anything
 * else thrown is retried under the contract's policy. Redeliveries of a task that already succeeded return the
 * stored output without running the method again (barrier).
 *
 * The method runs through Nest's enhancers: guards, interceptors, pipes (on `@SagaPayload()` parameters) and
 * the `@UseFilters` of the method and its class. A 4xx `HttpException` (a `ValidationPipe`'s, a guard's) fails
 * the task for good, as a `TaskRejectedError`.
 *
 * @example
 * @Task(Booking.task.chargePayment)        // or @Task('booking', 'charge-payment')
 * charge(cmd: ChargeCmd, ctx: TaskContext): Promise<Charged> { ... }
 *
 * @Task(Booking.task.chargePayment)        // the input validated first, a ChargeDto instance
 * charge(@SagaPayload(new ValidationPipe({ transform: true })) cmd: ChargeDto, @SagaCtx() ctx: TaskContext) { ... }
 */
export function Task<I, O>(ref: TaskRef<I, O>): TypedMethodDecorator<TaskHandler<I, O>>;
export function Task(flow: string, task: string): MethodDecorator;
export function Task(target: TaskTarget, task?: string): MethodDecorator {
  return SetMetadata(TASK_HANDLER_METADATA, handlerMetadata('task', target, task));
}

/**
 * Undoes a task of a flow on rollback. It receives a `CompensationContext` (the task input, its output if it
 * replied, and `outcome`: `'succeeded'`, or `'unknown'` when the task outran its timeout, its output was
 * unusable or a deadline passed, so it may or may not have taken effect), then the task input again, as a
 * second argument that `@SagaPayload(...pipes)` can transform. Enhancers apply as for `@Task`. It is armed when the task is
 * dispatched and must be idempotent; it never runs for a task that did not start in this service (the
 * barrier answers for it), and repeated deliveries run it once. It may be called a second time, with outcome
 * `'succeeded'`, when a run that was still going when it began finishes afterwards: the worker then undoes that
 * late effect with it (see docs/COMPENSATIONS.md).
 *
 * @example
 * @Compensate(Booking.task.chargePayment)
 * refund(ctx: CompensationContext<ChargeCmd, Charged>) { ... }
 */
export function Compensate<I, O>(ref: TaskRef<I, O>): TypedMethodDecorator<CompensationHandler<I, O>>;
export function Compensate(flow: string, task: string): MethodDecorator;
export function Compensate(target: TaskTarget, task?: string): MethodDecorator {
  return SetMetadata(TASK_HANDLER_METADATA, handlerMetadata('compensate', target, task));
}
