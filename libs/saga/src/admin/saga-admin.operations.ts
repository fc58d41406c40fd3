import type { SagaAdmin } from './saga-admin';

/** What the operator controllers need of `SagaAdmin` (bound to it with `useExisting`; a fake in unit specs). */
export type SagaAdminOperations = Pick<SagaAdmin, 'list' | 'count' | 'status' | 'act'>;

/** Injection token of {@link SagaAdminOperations}. */
export const SAGA_ADMIN_OPERATIONS = Symbol('dta:saga-admin-operations');
