import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import {
  SagaCompensatedError,
  SagaStalledError,
  SagaInputError,
  SagaNotFoundError,
  SagaWaitExceededError,
  UnknownFlowError,
} from '../errors/saga-outcome.error';
import { SagaIdempotencyConflictError } from '../errors/saga-idempotency-conflict.error';
import { SagaOverloadedError } from '../errors/saga-overloaded.error';

type SagaHttpError =
  | SagaCompensatedError
  | SagaStalledError
  | SagaWaitExceededError
  | SagaInputError
  | SagaNotFoundError
  | UnknownFlowError
  | SagaOverloadedError
  | SagaIdempotencyConflictError;

/** Where a saga's status can be read; `Location` of a 202. */
export const sagaStatusPath = (sagaId: string): string => `/sagas/${sagaId}`;

/**
 * Maps the outcome errors of `SagaClient` to HTTP (Express):
 * - `SagaInputError` -> 400 `{ statusCode, error, message: string[] }`, one message per bad field;
 * - `SagaNotFoundError` -> 404; `UnknownFlowError` -> 404;
 * - `SagaIdempotencyConflictError` -> 422 (the `x-request-id` was used with another body); nothing was started;
 * - `SagaOverloadedError` -> 429 `{ statusCode, error, message, flow, retryAfterMs }` with `Retry-After` (whole
 *   seconds, at least 1); nothing was started;
 * - `SagaCompensatedError` -> 409 `{ sagaId, traceId, status: 'compensated', failedStep, failedTask, error, details?, compensated }`
 *   (`details`: those of the `TaskRejectedError` that failed it);
 * - `SagaWaitExceededError` -> 202 `{ sagaId, traceId, status: 'running', statusUrl }` with `Location`;
 * - `SagaStalledError` -> 500 `{ sagaId, traceId, status: 'stalled', failedStep, failedTask, error, compensated }`.
 *
 * @example app.useGlobalFilters(new SagaExceptionFilter());
 */
@Catch(
  SagaCompensatedError,
  SagaStalledError,
  SagaWaitExceededError,
  SagaInputError,
  SagaNotFoundError,
  UnknownFlowError,
  SagaOverloadedError,
  SagaIdempotencyConflictError,
)
export class SagaExceptionFilter implements ExceptionFilter<SagaHttpError> {
  catch(error: SagaHttpError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.map(error, response);
    if ('traceId' in error) response.setHeader('x-request-id', error.traceId);
    response.status(status).json(body);
  }

  private map(error: SagaHttpError, response: Response): [number, object] {
    if (error instanceof SagaInputError) {
      const message = error.fields.flatMap((f) => f.messages);
      return [HttpStatus.BAD_REQUEST, { statusCode: 400, error: 'Bad Request', message }];
    }
    if (error instanceof SagaNotFoundError || error instanceof UnknownFlowError) {
      return [HttpStatus.NOT_FOUND, { statusCode: 404, error: 'Not Found', message: error.message }];
    }
    if (error instanceof SagaIdempotencyConflictError) {
      const body = { statusCode: 422, error: 'Unprocessable Entity', message: error.message };
      return [HttpStatus.UNPROCESSABLE_ENTITY, body];
    }
    if (error instanceof SagaOverloadedError) {
      response.setHeader('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
      const { message, flow, retryAfterMs } = error;
      const body = { statusCode: 429, error: 'Too Many Requests', message, flow, retryAfterMs };
      return [HttpStatus.TOO_MANY_REQUESTS, body];
    }
    if (error instanceof SagaWaitExceededError) {
      const statusUrl = sagaStatusPath(error.sagaId);
      response.setHeader('Location', statusUrl);
      return [
        HttpStatus.ACCEPTED,
        { sagaId: error.sagaId, traceId: error.traceId, status: 'running', statusUrl },
      ];
    }
    const failure = {
      sagaId: error.sagaId,
      traceId: error.traceId,
      status: error.status,
      failedStep: error.failure?.step,
      failedTask: error.failure?.task,
      error: error.failure?.error.message,
      ...(error.failure?.error.details ? { details: error.failure.error.details } : {}),
      compensated: error.compensated,
    };
    return [
      error instanceof SagaCompensatedError ? HttpStatus.CONFLICT : HttpStatus.INTERNAL_SERVER_ERROR,
      failure,
    ];
  }
}
