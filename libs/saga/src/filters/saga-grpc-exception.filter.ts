import { type ArgumentsHost, Catch, type RpcExceptionFilter } from '@nestjs/common';
import { Metadata, status } from '@grpc/grpc-js';
import {
  SagaCompensatedError,
  SagaStalledError,
  SagaInputError,
  SagaNotFoundError,
} from '../errors/saga-outcome.error';
import { SagaIdempotencyConflictError } from '../errors/saga-idempotency-conflict.error';
import { SagaOverloadedError } from '../errors/saga-overloaded.error';
import { type Observable, throwError } from 'rxjs';

type SagaGrpcError =
  | SagaInputError
  | SagaCompensatedError
  | SagaStalledError
  | SagaNotFoundError
  | SagaOverloadedError
  | SagaIdempotencyConflictError;

/** What Nest's gRPC transport hands to grpc-js as the call's status: code, details and trailers. */
export interface GrpcErrorStatus {
  code: status;
  message: string;
  metadata: Metadata;
}

/**
 * Trailer carrying the message of each invalid input field, one UTF-8 value each. Binary, because text
 * values are joined with ", " on the wire and the messages contain commas.
 */
export const FIELD_VIOLATION_TRAILER = 'x-field-violation-bin';
/**
 * Trailer telling the client how long to wait before retrying, in milliseconds: the one gRPC's retry policy reads
 * (gRFC A6), so a client with a retry policy that lists `RESOURCE_EXHAUSTED` honours it by itself.
 */
export const RETRY_PUSHBACK_TRAILER = 'grpc-retry-pushback-ms';
/** Trailer carrying the id of the saga that failed, for `GetBooking`. */
export const SAGA_ID_TRAILER = 'x-saga-id';
/** Trailer carrying, as JSON, the `details` of the `TaskRejectedError` that failed the saga. */
export const FAILURE_DETAILS_TRAILER = 'x-failure-details';

/**
 * Maps the errors of `SagaClient` to gRPC status codes, as `SagaExceptionFilter` maps them to HTTP:
 * - `SagaInputError` -> `INVALID_ARGUMENT`, every field message in the details and one
 *   `x-field-violation-bin` trailer each; nothing was started;
 * - `SagaCompensatedError` -> `ABORTED`, failed step, task and error in the details;
 * - `SagaStalledError` -> `INTERNAL` (stalled: an operator must act);
 * - `SagaNotFoundError` -> `NOT_FOUND`;
 * - `SagaOverloadedError` -> `RESOURCE_EXHAUSTED`, the wait in the `grpc-retry-pushback-ms` trailer; nothing
 *   was started;
 * - `SagaIdempotencyConflictError` -> `ALREADY_EXISTS` (the `x-request-id` was used with another request);
 *   nothing was started.
 *
 * Outcome errors carry the saga id in the `x-saga-id` trailer, and a refusal's details (JSON) in
 * `x-failure-details`. `SagaWaitExceededError` is not an error
 * on gRPC: the booking handlers answer `OK` with status `running` (see `BookingGrpcController`).
 */
@Catch(
  SagaInputError,
  SagaCompensatedError,
  SagaStalledError,
  SagaNotFoundError,
  SagaOverloadedError,
  SagaIdempotencyConflictError,
)
export class SagaGrpcExceptionFilter implements RpcExceptionFilter<SagaGrpcError> {
  catch(error: SagaGrpcError, _host: ArgumentsHost): Observable<never> {
    return throwError(() => this.toStatus(error));
  }

  private toStatus(error: SagaGrpcError): GrpcErrorStatus {
    const metadata = new Metadata();
    if (error instanceof SagaInputError) {
      const messages = error.fields.flatMap((f) => f.messages);
      for (const message of messages) metadata.add(FIELD_VIOLATION_TRAILER, Buffer.from(message));
      return { code: status.INVALID_ARGUMENT, message: `${error.message} ${messages.join('; ')}`, metadata };
    }
    if (error instanceof SagaNotFoundError) {
      return { code: status.NOT_FOUND, message: error.message, metadata };
    }
    if (error instanceof SagaIdempotencyConflictError) {
      return { code: status.ALREADY_EXISTS, message: error.message, metadata };
    }
    if (error instanceof SagaOverloadedError) {
      metadata.set(RETRY_PUSHBACK_TRAILER, String(error.retryAfterMs));
      return { code: status.RESOURCE_EXHAUSTED, message: error.message, metadata };
    }
    metadata.set(SAGA_ID_TRAILER, error.sagaId);
    const details = error.failure?.error.details;
    if (details) metadata.set(FAILURE_DETAILS_TRAILER, JSON.stringify(details));
    if (error instanceof SagaCompensatedError) {
      return { code: status.ABORTED, message: error.message, metadata };
    }
    const failure = error.failure
      ? ` Task '${error.failure.task}' of step '${error.failure.step}' failed (${error.failure.error.message}).`
      : '';
    return { code: status.INTERNAL, message: `${error.message}${failure}`, metadata };
  }
}
