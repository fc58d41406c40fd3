import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { TRACE_ID_HEADER, type TracedRequest } from './trace-id.middleware';

/** The request's trace id, as `traceIdMiddleware` settled it. */
export const TraceId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  return context.switchToHttp().getRequest<Request>().headers[TRACE_ID_HEADER] as string;
});

/**
 * The caller's `x-request-id` when it sent one, else `undefined`: a repeated request id for the same flow
 * returns the same saga instead of starting a second one.
 */
export const IdempotencyKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => {
    const request = context.switchToHttp().getRequest<TracedRequest>();
    return request.traceIdGiven ? (request.headers[TRACE_ID_HEADER] as string) : undefined;
  },
);
