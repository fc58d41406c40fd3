/** Metadata keys, namespaced. */
export const SAGA_METADATA = 'dta:saga';
export const STEP_METADATA = 'dta:step';
export const TASK_HANDLER_METADATA = 'dta:task';
export const SAGA_EVENT_METADATA = 'dta:event';

/**
 * What `ArgumentsHost.getType()` / `ExecutionContext.getType()` answer in a guard, interceptor, pipe or filter
 * that runs for a `@Task` / `@Compensate` handler; `getArgs()` there are the handler's arguments.
 */
export const SAGA_CONTEXT_TYPE = 'dta';

/** Injection tokens of the infrastructure. */
export const SAGA_STORE = Symbol('dta:SagaStore');
export const SAGA_TRANSPORT = Symbol('dta:SagaTransport');

/** The instrumentation scope of DTA's OpenTelemetry spans: the package's name and version. */
export const SAGA_TRACER_NAME = '@dta/saga';
/** The version of `@dta/saga` (its package.json's; a unit test keeps them equal). */
export const SAGA_VERSION = '0.1.0';
