import type { INestApplication } from '@nestjs/common';
import { SagaExceptionFilter } from '@dta/saga';
import { traceIdMiddleware } from './trace-id.middleware';

/**
 * Application-wide HTTP wiring of the booking front door; call it before `app.listen()` / `app.init()`.
 * The trace id middleware is registered here rather than in a module because module middleware runs after
 * the body parser, and a 400 for malformed JSON must echo `x-request-id` too.
 */
export function setupBookingHttp(app: INestApplication): void {
  app.use(traceIdMiddleware);
  app.useGlobalFilters(new SagaExceptionFilter());
}
