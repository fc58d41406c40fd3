import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { SagaActionRefusedError } from '../errors/saga-action-refused.error';
import type { SagaWaitExceededError } from '../errors/saga-outcome.error';
import { classifyAdminError, SAGA_ADMIN_ERRORS, type SagaAdminError } from './saga-admin-errors';

/**
 * Maps operator errors to HTTP, replying through the platform's adapter:
 * - invalid query, body, `x-operator`, task, limit or cursor -> 400 `{ statusCode, error, message: string[] }`;
 * - `SagaNotFoundError` -> 404;
 * - `SagaActionRefusedError` -> 409 `{ statusCode, error, message, sagaId, action, status }` (nothing changed);
 * - `SagaWaitExceededError` -> 202 `{ sagaId, message }`: sent, no orchestrator answered yet; it applies later.
 */
@Catch(...SAGA_ADMIN_ERRORS)
@Injectable()
export class SagaAdminExceptionFilter implements ExceptionFilter<SagaAdminError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: SagaAdminError, host: ArgumentsHost): void {
    const response: unknown = host.switchToHttp().getResponse();
    const [code, body] = this.toReply(error);
    this.adapterHost.httpAdapter.reply(response, body, code);
  }

  private toReply(error: SagaAdminError): [number, object] {
    const { kind, messages } = classifyAdminError(error);
    switch (kind) {
      case 'not-found':
        return [HttpStatus.NOT_FOUND, { statusCode: 404, error: 'Not Found', message: messages[0] }];
      case 'refused': {
        const { sagaId, action, status } = error as SagaActionRefusedError;
        return [
          HttpStatus.CONFLICT,
          { statusCode: 409, error: 'Conflict', message: messages[0], sagaId, action, status },
        ];
      }
      case 'pending': {
        const { sagaId } = error as SagaWaitExceededError;
        return [HttpStatus.ACCEPTED, { sagaId, message: messages[0] }];
      }
      default:
        return [HttpStatus.BAD_REQUEST, { statusCode: 400, error: 'Bad Request', message: messages }];
    }
  }
}
