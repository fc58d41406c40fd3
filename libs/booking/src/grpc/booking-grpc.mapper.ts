import type { Json, SagaCompleted, SagaHandle, SagaStatusView } from '@dta/saga';
import { Booking, type Charged, type OrderCreated } from '../booking.contract';
import type { CreateBookingDto } from '../dto/create-booking.dto';
import type { BookingRequest, BookingResponse } from './booking-grpc.interfaces';

/**
 * The `POST /bookings` body a gRPC request stands for, left to the contract's DTO to validate:
 * `Quantity` 0 is left out (the DTO defaults it to 1); `FaultInject` `"true"` becomes `true`, `"false"` and
 * `""` are left out, anything else (a task name, or a value validation will refuse) is kept as sent.
 */
export function bookingInput(request: BookingRequest): CreateBookingDto {
  const faultInject = request.FaultInject === 'true' ? true : request.FaultInject;
  return {
    productId: request.ProductID,
    ...(request.Quantity !== 0 ? { quantity: request.Quantity } : {}),
    ...(faultInject !== 'false' && faultInject !== '' ? { faultInject } : {}),
  } as CreateBookingDto; // as sent: SagaClient validates it against the DTO before it starts anything
}

/** The answer for a booking that completed within the wait. */
export function completedResponse({
  sagaId,
  traceId,
  result,
}: SagaCompleted<typeof Booking>): BookingResponse {
  return {
    SagaID: sagaId,
    TraceID: traceId,
    Status: 'completed',
    ...ids(result[Booking.task.createOrder.name], result[Booking.task.chargePayment.name]),
  };
}

/** The answer for a booking that was started and goes on: follow it with `GetBooking`. */
export function runningResponse({
  sagaId,
  traceId,
}: Pick<SagaHandle, 'sagaId' | 'traceId'>): BookingResponse {
  return { SagaID: sagaId, TraceID: traceId, Status: 'running' };
}

/** The answer of `GetBooking`: the saga's status, the ids its tasks produced so far, and its failure. */
export function statusResponse(view: SagaStatusView): BookingResponse {
  const output = (task: string): Json | undefined =>
    view.steps.flatMap((step) => step.tasks).find((t) => t.name === task)?.output;
  return {
    SagaID: view.id,
    TraceID: view.traceId,
    Status: view.status,
    ...ids(
      output(Booking.task.createOrder.name) as OrderCreated | undefined,
      output(Booking.task.chargePayment.name) as Charged | undefined,
    ),
    ...(view.failure
      ? { FailedStep: view.failure.step, FailedTask: view.failure.task, Error: view.failure.error.message }
      : {}),
  };
}

function ids(order: OrderCreated | undefined, payment: Charged | undefined): Partial<BookingResponse> {
  return { OrderID: order?.orderId, PaymentID: payment?.paymentId };
}
