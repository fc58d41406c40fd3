/** Metadata keys, namespaced. */
export const SAGA_METADATA = 'dta:saga';
export const STEP_METADATA = 'dta:step';
export const TASK_HANDLER_METADATA = 'dta:task';

/** Injection tokens of the infrastructure. */
export const SAGA_STORE = Symbol('dta:SagaStore');
export const SAGA_TRANSPORT = Symbol('dta:SagaTransport');
