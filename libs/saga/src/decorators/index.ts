export { Saga } from './saga.decorator';
export { quorum, Step, type StepOptions } from './step.decorator';
export { Task, Compensate } from './task.decorator';
export { SagaPayload, SagaCtx } from './saga-params.decorator';
export { OnSagaEvent, type OnSagaEventOptions } from './on-saga-event.decorator';
