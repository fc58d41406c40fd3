export { defineSaga, task, toWireName } from './saga-contract';
export type {
  BackoffOptions,
  SagaContract,
  SagaContractOptions,
  SagaInput,
  TaskInput,
  TaskOptions,
  TaskOutput,
  TaskRef,
  TaskSpec,
} from './saga-contract';
export type { Duration } from './duration';
export { TASK_DEFAULTS } from './task-policy';
export type { SagaState } from './saga-view';
