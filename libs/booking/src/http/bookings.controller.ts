import { Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { type Json, SagaClient } from '@dta/saga';
import { Booking } from '../booking.contract';
import { JsonBody } from './json-body.decorator';
import { TraceId } from './trace-id.decorator';

/** `201` body of `POST /bookings`. */
export interface BookingCompleted {
  sagaId: string;
  traceId: string;
  status: 'completed';
  /** Outputs of the booking's tasks, by task. */
  result: { [task: string]: Json };
}

/**
 * `POST /bookings`: runs a booking saga and answers with its outcome. Errors (400 invalid body, 409 rolled
 * back, 202 still running, 500 stalled) are mapped by `SagaExceptionFilter`.
 */
@Controller('bookings')
export class BookingsController {
  constructor(private readonly sagas: SagaClient) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  async create(@JsonBody() body: unknown, @TraceId() traceId: string): Promise<BookingCompleted> {
    // The client validates against the contract's DTO (400, nothing started) before it publishes anything.
    const { sagaId, result } = await this.sagas.run(Booking, body as object, { traceId });
    return { sagaId, traceId, status: 'completed', result };
  }
}
