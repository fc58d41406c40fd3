import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { TRACE_ID_HEADER } from '../http/trace-id.middleware';

/** The call's trace id, as `GrpcTraceIdInterceptor` settled it. */
export const GrpcTraceId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  return String(context.switchToRpc().getContext<Metadata>().get(TRACE_ID_HEADER)[0]);
});
