import { Controller, UseFilters, UseInterceptors } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import { SagaClient, SagaInputError, type SagaRunOptions, SagaWaitExceededError } from '@dta/saga';
import {
  GrpcIdempotencyKey,
  GrpcTraceId,
  GrpcTraceIdInterceptor,
  SagaGrpcExceptionFilter,
} from '@dta/saga/grpc';
import { Booking } from '../booking.contract';
import type { BookingRequest, BookingResponse, GetBookingRequest } from './booking-grpc.interfaces';
import { bookingInput, completedResponse, runningResponse, statusResponse } from './booking-grpc.mapper';
import { BOOKING_GRPC_SERVICE } from './booking-grpc.options';

/**
 * `pb.BookingService` (proto/booking.proto): the gRPC front door of the booking saga, on `SagaClient` as
 * `POST /bookings` and `GET /sagas/:id` are. Invalid input, rollbacks, stalls and unknown ids become gRPC
 * status codes through `SagaGrpcExceptionFilter`.
 *
 * A booking still running when the caller's wait runs out (`SAGA_WAIT_TIMEOUT_MS`) is not an error: the
 * saga goes on, so the answer is `OK` with status `running` and the saga id, and the client polls
 * `GetBooking` (the gRPC form of HTTP 202 + `Location`). A deadline error would invite a retry, which would
 * start a second booking.
 */
@Controller()
@UseFilters(SagaGrpcExceptionFilter)
@UseInterceptors(GrpcTraceIdInterceptor)
export class BookingGrpcController {
  constructor(private readonly sagas: SagaClient) {}

  /** Runs a booking and answers with its outcome. */
  @GrpcMethod(BOOKING_GRPC_SERVICE, 'HandleSyncBooking')
  async handleSyncBooking(
    @Payload() request: BookingRequest,
    @GrpcTraceId() traceId: string,
    @GrpcIdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<BookingResponse> {
    return this.runBooking(request, { traceId, idempotencyKey });
  }

  /**
   * Starts a booking and answers at once with status `running`; follow it with `GetBooking`, or give a
   * `CallbackURL` that the result is POSTed to.
   */
  @GrpcMethod(BOOKING_GRPC_SERVICE, 'HandleAsyncBooking')
  async handleAsyncBooking(
    @Payload() request: BookingRequest,
    @GrpcTraceId() traceId: string,
    @GrpcIdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<BookingResponse> {
    const callbackUrl = request.CallbackURL || undefined;
    const options = { traceId, idempotencyKey, callbackUrl };
    return this.whileRunning(async () =>
      runningResponse(await this.sagas.start(Booking, bookingInput(request), options)),
    );
  }

  /** Runs a booking once an orchestrator has room for it (the start queues in the broker meanwhile). */
  @GrpcMethod(BOOKING_GRPC_SERVICE, 'HandleThrottledBooking')
  async handleThrottledBooking(
    @Payload() request: BookingRequest,
    @GrpcTraceId() traceId: string,
    @GrpcIdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<BookingResponse> {
    return this.runBooking(request, { traceId, idempotencyKey, mode: 'throttled' });
  }

  /** Where a booking stands, by saga id. */
  @GrpcMethod(BOOKING_GRPC_SERVICE, 'GetBooking')
  async getBooking(@Payload() request: GetBookingRequest): Promise<BookingResponse> {
    return statusResponse(await this.sagas.status(request.SagaID));
  }

  private async runBooking(request: BookingRequest, options: SagaRunOptions): Promise<BookingResponse> {
    if (request.CallbackURL) {
      throw new SagaInputError('CallbackURL is only accepted by HandleAsyncBooking', Booking.name, [
        { field: 'CallbackURL', messages: ['CallbackURL is only accepted by HandleAsyncBooking'] },
      ]);
    }
    return this.whileRunning(async () =>
      completedResponse(await this.sagas.run(Booking, bookingInput(request), options)),
    );
  }

  /** Turns "the wait ran out" into the `running` answer: the saga was published and goes on. */
  private async whileRunning(answer: () => Promise<BookingResponse>): Promise<BookingResponse> {
    try {
      return await answer();
    } catch (error) {
      if (error instanceof SagaWaitExceededError) return runningResponse(error);
      throw error;
    }
  }
}
