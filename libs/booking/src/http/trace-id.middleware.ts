import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const TRACE_ID_HEADER = 'x-request-id';

/** A request that went through {@link traceIdMiddleware}. */
export interface TracedRequest extends Request {
  /** Whether the caller sent the trace id (then it also makes the start idempotent). */
  traceIdGiven?: boolean;
}

const TRACE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** What a caller's trace id may look like (REST and gRPC alike); anything else is replaced by a new one. */
export function isTraceId(value: unknown): value is string {
  return typeof value === 'string' && TRACE_ID_PATTERN.test(value);
}

/**
 * Takes the trace id from `x-request-id`, or generates one (a UUID), puts it back on the request for the
 * handlers and echoes it in the response, whatever the response turns out to be (400s included).
 */
export function traceIdMiddleware(request: Request, response: Response, next: NextFunction): void {
  const given = request.headers[TRACE_ID_HEADER];
  const valid = isTraceId(given);
  const traceId = valid ? given : randomUUID();
  request.headers[TRACE_ID_HEADER] = traceId;
  (request as TracedRequest).traceIdGiven = valid;
  response.setHeader(TRACE_ID_HEADER, traceId);
  next();
}
