import { NotImplementedException } from '@nestjs/common';
import type { SagaOperatorAction } from '../engine/saga-operator-action';
import type { SagaStatusView } from '../interfaces/saga-status.interface';
import type { SagaListPage, SagaListQuery } from '../store/saga-list.interface';
import { SAGA_ADMIN_MESSAGES } from './saga-admin.messages';

/** What the operator controllers need of `SagaAdmin` (bound to it with `useExisting`). */
export interface SagaAdminOperations {
  list?(query?: SagaListQuery): Promise<SagaListPage>;
  status(sagaId: string): Promise<SagaStatusView>;
  act(sagaId: string, action: SagaOperatorAction): Promise<SagaStatusView>;
}

/** Injection token of {@link SagaAdminOperations}. */
export const SAGA_ADMIN_OPERATIONS = Symbol('dta:saga-admin-operations');

/** Lists sagas; 501 while the `SagaAdmin` of this build cannot list (no store index yet). */
export function listSagas(admin: SagaAdminOperations, query: SagaListQuery): Promise<SagaListPage> {
  if (typeof admin.list !== 'function')
    throw new NotImplementedException(SAGA_ADMIN_MESSAGES.LIST_UNAVAILABLE);
  return admin.list(query);
}
