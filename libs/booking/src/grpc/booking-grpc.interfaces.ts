import type { SagaStatus } from '@dta/saga';

// The messages of `pb.BookingService` (proto/booking.proto) as the loader hands them over: field names as
// in the proto (`keepCase`), unset scalars as their defaults ("" and 0).

/** `pb.BookingRequest`. */
export interface BookingRequest {
  ProductID: string;
  /** `"true"`, `"false"`, `""`, or the task to fail: `"payment"`, `"inventory"`, `"confirm"`. */
  FaultInject: string;
  /** Units to book; 0 stands for the default, 1. */
  Quantity: number;
  /** HandleAsyncBooking only: where the result is POSTed; "" for none. */
  CallbackURL: string;
}

/** `pb.GetBookingRequest`. */
export interface GetBookingRequest {
  SagaID: string;
}

/** `pb.BookingResponse`: where a booking stands; the failure fields are set for a saga that failed. */
export interface BookingResponse {
  SagaID: string;
  TraceID: string;
  Status: SagaStatus;
  OrderID?: string;
  PaymentID?: string;
  FailedStep?: string;
  FailedTask?: string;
  Error?: string;
}
