import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { TRACE_ID_HEADER, type TracedRequest } from './trace-id.middleware';

/** The Node request under the platform's (Fastify wraps it in `raw`; Express extends it). */
function nodeRequest(context: ExecutionContext): TracedRequest {
  const request = context.switchToHttp().getRequest<IncomingMessage | { raw: IncomingMessage }>();
  return 'raw' in request ? request.raw : request;
}

/**
 * The request's trace id, as `sagaTraceId` settled it (the caller's `x-request-id`, or a new UUID).
 *
 * @example
 * @Post() book(@Body() dto: CreateBookingDto, @TraceId() traceId: string) { ... }
 */
export const TraceId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  return nodeRequest(context).headers[TRACE_ID_HEADER] as string;
});

/**
 * The caller's `x-request-id` when it sent one, else `undefined`: pass it as `SagaClient`'s `idempotencyKey`,
 * so that a repeated request for the same flow returns the same saga instead of starting a second one.
 */
export const IdempotencyKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => {
    const request = nodeRequest(context);
    return request.traceIdGiven ? (request.headers[TRACE_ID_HEADER] as string) : undefined;
  },
);
