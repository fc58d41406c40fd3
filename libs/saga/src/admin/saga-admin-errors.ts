import { SagaActionRefusedError } from '../errors/saga-action-refused.error';
import { SagaInputError, SagaNotFoundError, SagaWaitExceededError } from '../errors/saga-outcome.error';
import { SagaAdminRequestError } from './saga-admin-request.error';

/** What `SagaAdmin` and the operator controllers throw. */
export type SagaAdminError =
  | SagaAdminRequestError
  | SagaInputError
  | RangeError
  | SagaNotFoundError
  | SagaActionRefusedError
  | SagaWaitExceededError;

/** The errors the operator API maps, for `@Catch`. */
export const SAGA_ADMIN_ERRORS = [
  SagaAdminRequestError,
  SagaInputError,
  RangeError,
  SagaNotFoundError,
  SagaActionRefusedError,
  SagaWaitExceededError,
] as const;

/** How an operator error reads, on any protocol. */
export type SagaAdminErrorKind = 'invalid' | 'not-found' | 'refused' | 'pending';

/** Sorts an operator error, with the field messages of an invalid request. */
export function classifyAdminError(error: SagaAdminError): { kind: SagaAdminErrorKind; messages: string[] } {
  if (error instanceof SagaAdminRequestError) return { kind: 'invalid', messages: error.messages };
  if (error instanceof SagaInputError) {
    return { kind: 'invalid', messages: error.fields.flatMap((f) => f.messages) };
  }
  if (error instanceof SagaNotFoundError) return { kind: 'not-found', messages: [error.message] };
  if (error instanceof SagaActionRefusedError) return { kind: 'refused', messages: [error.message] };
  if (error instanceof SagaWaitExceededError) return { kind: 'pending', messages: [error.message] };
  return { kind: 'invalid', messages: [error.message] };
}
