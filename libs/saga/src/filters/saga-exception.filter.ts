import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
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
import { SAGA_MESSAGES } from '../saga.messages';

type SagaHttpError =
  | SagaCompensatedError
  | SagaStalledError
  | SagaWaitExceededError
  | SagaInputError
  | SagaNotFoundError
  | UnknownFlowError
  | SagaOverloadedError
  | SagaIdempotencyConflictError;

/** Where a saga's status can be read (`SagaStatusController`); `Location` of a 202. */
export const sagaStatusPath = (sagaId: string): string => `/sagas/${sagaId}`;

export interface SagaExceptionFilterOptions {
  /** The URL of a saga's status, sent as `statusUrl` and `Location` with a 202. @default `/sagas/<sagaId>` (`SagaHttpModule`) */
  statusUrl?: (sagaId: string) => string;
}

/** Headers and the body of one answer. */
type Answer = [status: number, body: object, headers: Record<string, string>];

/**
 * Maps the outcome errors of `SagaClient` to HTTP, on any platform (Express, Fastify): it answers through the
 * app's `HttpAdapterHost`, as Nest's `BaseExceptionFilter` does, so register it where Nest injects it
 * (`{ provide: APP_FILTER, useClass: SagaExceptionFilter }`) or pass it
 * (`app.useGlobalFilters(new SagaExceptionFilter(app.get(HttpAdapterHost)))`). Every answer of a saga carries
 * its trace id in `x-request-id`.
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
 * @example app.useGlobalFilters(new SagaExceptionFilter(app.get(HttpAdapterHost), { statusUrl: (id) => `/bookings/${id}` }));
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
  private readonly statusUrl: (sagaId: string) => string;

  constructor(
    @Optional() private readonly adapterHost?: HttpAdapterHost,
    @Optional() options: SagaExceptionFilterOptions = {},
  ) {
    this.statusUrl = options.statusUrl ?? sagaStatusPath;
  }

  catch(error: SagaHttpError, host: ArgumentsHost): void {
    const response: unknown = host.switchToHttp().getResponse();
    const [status, body, headers] = this.map(error);
    if ('traceId' in error) headers['x-request-id'] = error.traceId;
    const adapter = this.adapterHost?.httpAdapter ?? expressLike(response);
    for (const [name, value] of Object.entries(headers)) adapter.setHeader(response, name, value);
    adapter.reply(response, body, status);
  }

  private map(error: SagaHttpError): Answer {
    if (error instanceof SagaInputError) {
      const message = error.fields.flatMap((f) => f.messages);
      return [HttpStatus.BAD_REQUEST, { statusCode: 400, error: 'Bad Request', message }, {}];
    }
    if (error instanceof SagaNotFoundError || error instanceof UnknownFlowError) {
      return [HttpStatus.NOT_FOUND, { statusCode: 404, error: 'Not Found', message: error.message }, {}];
    }
    if (error instanceof SagaIdempotencyConflictError) {
      const body = { statusCode: 422, error: 'Unprocessable Entity', message: error.message };
      return [HttpStatus.UNPROCESSABLE_ENTITY, body, {}];
    }
    if (error instanceof SagaOverloadedError) {
      const retryAfter = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
      const { message, flow, retryAfterMs } = error;
      const body = { statusCode: 429, error: 'Too Many Requests', message, flow, retryAfterMs };
      return [HttpStatus.TOO_MANY_REQUESTS, body, { 'Retry-After': retryAfter }];
    }
    if (error instanceof SagaWaitExceededError) {
      const statusUrl = this.statusUrl(error.sagaId);
      const body = { sagaId: error.sagaId, traceId: error.traceId, status: 'running', statusUrl };
      return [HttpStatus.ACCEPTED, body, { Location: statusUrl }];
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
      {},
    ];
  }
}

/**
 * A filter created without the adapter host (`new SagaExceptionFilter()`, as before it took one) still answers
 * an Express response; on any other platform it says how to register it.
 */
function expressLike(response: unknown): Pick<HttpAdapterHost['httpAdapter'], 'setHeader' | 'reply'> {
  type Express = { setHeader(n: string, v: string): void; status(s: number): { json(b: object): void } };
  const express = response as Partial<Express>;
  if (typeof express.setHeader !== 'function' || typeof express.status !== 'function') {
    throw new Error(SAGA_MESSAGES.FILTER_WITHOUT_ADAPTER);
  }
  return {
    setHeader: (_response: unknown, name: string, value: string) => express.setHeader!(name, value),
    reply: (_response: unknown, body: object, status?: number) => express.status!(status ?? 200).json(body),
  };
}
