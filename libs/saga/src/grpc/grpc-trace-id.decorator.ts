import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { TRACE_ID_HEADER } from '../http/trace-id.middleware';

/** Internal metadata key where `GrpcTraceIdInterceptor` keeps the caller's own `x-request-id`. */
export const IDEMPOTENCY_KEY_METADATA = 'x-dta-idempotency-key';

/**
 * The caller's `x-request-id` when it sent one, else `undefined`: pass it as `SagaClient`'s `idempotencyKey`, so
 * that a repeated id returns the same saga. Needs `GrpcTraceIdInterceptor` on the controller.
 */
export const GrpcIdempotencyKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => {
    const [key] = context.switchToRpc().getContext<Metadata>().get(IDEMPOTENCY_KEY_METADATA);
    return typeof key === 'string' ? key : undefined;
  },
);

/**
 * The call's trace id, as `GrpcTraceIdInterceptor` settled it.
 *
 * @example
 * @UseInterceptors(GrpcTraceIdInterceptor)
 * @GrpcMethod('BookingService') book(@Payload() req: BookingRequest, @GrpcTraceId() traceId: string) { ... }
 */
export const GrpcTraceId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  return String(context.switchToRpc().getContext<Metadata>().get(TRACE_ID_HEADER)[0]);
});
