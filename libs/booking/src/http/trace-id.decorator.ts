import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { TRACE_ID_HEADER } from './trace-id.middleware';

/** The request's trace id, as `traceIdMiddleware` settled it. */
export const TraceId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  return context.switchToHttp().getRequest<Request>().headers[TRACE_ID_HEADER] as string;
});
