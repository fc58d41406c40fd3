import type { INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SagaExceptionFilter, sagaTraceId } from '@dta/saga';

/**
 * Application-wide HTTP wiring of the booking front door; call it before `app.listen()` / `app.init()`.
 * The trace id middleware is registered here rather than in a module because module middleware runs after
 * the body parser, and a 400 for malformed JSON must echo `x-request-id` too.
 */
export function setupBookingHttp(app: INestApplication): void {
  app.use(sagaTraceId);
  app.useGlobalFilters(new SagaExceptionFilter(app.get(HttpAdapterHost)));
}
