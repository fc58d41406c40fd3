/** @dta/saga: distributed transactions (sagas) for NestJS. */
export { Saga, Step, Task, Compensate, quorum, type StepOptions } from './decorators';
export * from './definition';
export * from './errors';
export * from './interfaces';
export type {
  Json,
  SagaStatus,
  TaskStatus,
  TaskOutcome,
  SagaError,
  SagaErrorDetails,
  SagaFailure,
  SagaStall,
  SagaTimelineEntry,
  SagaTimelineEvent,
} from './engine/saga-state';
export { SAGA_STATUSES } from './engine/saga-state';
export type { StepAggregator, StepFailurePolicy } from './engine/saga-plan';
export type { SagaView } from './engine/saga-plan';
export { SAGA_LIFECYCLE, type SagaLifecycle } from './engine/saga-command';
export { SagaModule } from './saga.module';
export { SagaAdmin } from './admin/saga-admin';
export * from './admin';
export type { SagaOperatorAction, SagaOperatorActionType, OperatorNote } from './engine/saga-operator-action';
export type { SagaListQuery, SagaSummary, SagaListPage } from './store/saga-list.interface';
export { SAGA_STORE, SAGA_TRANSPORT } from './saga.constants';
export { SAGA_CONTEXT_TYPE } from './saga.constants';
export { SagaPayload, SagaCtx, OnSagaEvent, type OnSagaEventOptions } from './decorators';
export { sagaOptionsFromConfig } from './saga.config';
export type { SagaStoreName, SagaTransportName } from './saga.adapters';
export { sagaLog, type SagaLogRecord } from './runtime/saga-log';
export { CALLBACK_URL_MESSAGE } from './runtime/callback-url.check';
export {
  CALLBACK_SIGNATURE_HEADER,
  signCallback,
  verifyCallbackSignature,
  callbackUrlRefusal,
  redactUrl,
  type CallbackUrlPolicy,
} from './callbacks';
export {
  SagaClient,
  type SagaHandle,
  type SagaStartOptions,
  type SagaRunOptions,
  type SagaAsyncStartOptions,
} from './runtime/saga.client';
export type { LifecycleEvent, ResultMessage } from './transport/saga-messages';
export {
  SagaExceptionFilter,
  sagaStatusPath,
  type SagaExceptionFilterOptions,
} from './filters/saga-exception.filter';
export * from './http';
export type {
  CounterAdjustment,
  CounterAdjustResult,
  CounterRevertResult,
  Counters,
} from './store/saga-counters.interface';
export type { SagaStore, VersionedDocument } from './store/saga-store.interface';
export { UnsafeEvictionPolicyError } from './store/unsafe-eviction-policy.error';
export * from './transport';
export * from './store';
export type { BarrierStore } from './barrier/barrier-store.interface';
export * from './relay';
