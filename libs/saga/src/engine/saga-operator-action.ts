export { SAGA_OPERATOR_ACTIONS } from '../vocabulary/saga-vocabulary';
export type { OperatorNote, SagaOperatorAction, SagaOperatorActionType } from '../vocabulary/saga-vocabulary';
