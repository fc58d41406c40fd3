export { Saga } from './saga.decorator';
export { quorum, Step, type StepOptions } from './step.decorator';
export { Task, Compensate } from './task.decorator';
export { SagaPayload, SagaCtx } from './saga-params.decorator';
