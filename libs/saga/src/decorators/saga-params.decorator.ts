import { assignMetadata, type PipeTransform, type Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';

/** What a parameter decorator of a `@Task` / `@Compensate` handler asks for (numbers, as Nest's paramtypes). */
export const SagaParamtype = { PAYLOAD: 3, CONTEXT: 6 } as const;
type SagaParamtype = (typeof SagaParamtype)[keyof typeof SagaParamtype];

type Pipe = Type<PipeTransform> | PipeTransform;

function sagaParam(type: SagaParamtype, pipes: Pipe[]): ParameterDecorator {
  return (target, key, index) => {
    if (key === undefined) return;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, key) ?? {}) as object;
    const metadata = assignMetadata(args, type, index, undefined, ...pipes);
    Reflect.defineMetadata(ROUTE_ARGS_METADATA, metadata, target.constructor, key);
  };
}

/**
 * Injects the task input into a `@Task` or `@Compensate` handler, through `pipes` (classes, resolved by Nest,
 * or instances), as `@Payload()` does for `@nestjs/microservices` handlers. In a `@Compensate` handler it is the
 * input the task was dispatched with (`CompensationContext.input`). Pipes of `@UsePipes` and the app's global
 * pipes run too. A `ValidationPipe` that refuses the input (any `HttpException` with a 4xx status but 408, 425
 * and 429) fails the task for good, as a `TaskRejectedError` carrying the pipe's messages: the same input would
 * fail again on every retry.
 *
 * Once a handler has a decorated parameter, Nest fills only decorated ones: decorate each (`@SagaCtx()` for the
 * context). Parameters keep their positional order, so `@Task(ref)` checks their types as for a plain handler:
 * `(input, ctx)` for a task, `(ctx, input)` for a compensation. No pipe by default.
 *
 * @example
 * @Task(Booking.task.createOrder)
 * create(@SagaPayload(new ValidationPipe({ transform: true })) booking: CreateBookingDto, @SagaCtx() ctx: TaskContext) { ... }
 *
 * @Compensate(Booking.task.createOrder)
 * cancel(@SagaCtx() ctx: CompensationContext<CreateBookingDto, OrderCreated>, @SagaPayload() booking: CreateBookingDto) { ... }
 */
export function SagaPayload(...pipes: Pipe[]): ParameterDecorator {
  return sagaParam(SagaParamtype.PAYLOAD, pipes);
}

/**
 * Injects the handler's context, as `@Ctx()` does for `@nestjs/microservices` handlers: the `TaskRunContext` of
 * a `@Task` handler, the `CompensationContext` of a `@Compensate` handler. No pipes run on it.
 *
 * @example
 * @Task(Booking.task.chargePayment)
 * charge(@SagaPayload(ChargeValidationPipe) cmd: ChargeCmd, @SagaCtx() ctx: TaskRunContext) { ... }
 */
export function SagaCtx(): ParameterDecorator {
  return sagaParam(SagaParamtype.CONTEXT, []);
}
