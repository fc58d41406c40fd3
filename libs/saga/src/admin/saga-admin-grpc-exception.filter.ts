import { type ArgumentsHost, Catch, type RpcExceptionFilter } from '@nestjs/common';
import { Metadata, status } from '@grpc/grpc-js';
import { type Observable, throwError } from 'rxjs';
import type { GrpcErrorStatus } from '../filters/saga-grpc-exception.filter';
import { FIELD_VIOLATION_TRAILER, SAGA_ID_TRAILER } from '../filters/saga-grpc-exception.filter';
import { classifyAdminError, SAGA_ADMIN_ERRORS, type SagaAdminError } from './saga-admin-errors';

const CODES = {
  invalid: status.INVALID_ARGUMENT,
  'not-found': status.NOT_FOUND,
  refused: status.FAILED_PRECONDITION,
  pending: status.DEADLINE_EXCEEDED,
} as const;

/**
 * Maps operator errors to gRPC as `SagaAdminExceptionFilter` maps them to HTTP: `INVALID_ARGUMENT` (one
 * `x-field-violation-bin` trailer per message), `NOT_FOUND`, `FAILED_PRECONDITION` (refused; nothing changed) and
 * `DEADLINE_EXCEEDED` (sent, not answered yet; it applies when an orchestrator runs). The saga id, where known,
 * is in the `x-saga-id` trailer.
 */
@Catch(...SAGA_ADMIN_ERRORS)
export class SagaAdminGrpcExceptionFilter implements RpcExceptionFilter<SagaAdminError> {
  catch(error: SagaAdminError, _host: ArgumentsHost): Observable<never> {
    const { kind, messages } = classifyAdminError(error);
    const metadata = new Metadata();
    if (kind === 'invalid') for (const m of messages) metadata.add(FIELD_VIOLATION_TRAILER, Buffer.from(m));
    const sagaId = (error as { sagaId?: unknown }).sagaId;
    if (typeof sagaId === 'string') metadata.set(SAGA_ID_TRAILER, sagaId);
    const answer: GrpcErrorStatus = { code: CODES[kind], message: messages.join('; '), metadata };
    return throwError(() => answer);
  }
}
