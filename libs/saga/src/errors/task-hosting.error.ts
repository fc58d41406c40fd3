import { SagaDefinitionError } from './saga-definition.error';

/**
 * On the memory transport (one process), a task of a flow orchestrated here has no `@Task` handler in this
 * application: nothing could ever run it.
 */
export class UnhostedTaskError extends SagaDefinitionError {}

/**
 * On the memory transport (one process), `@Task` handlers of a flow, or a `SagaClient` start of it, with no
 * `@Saga` class of that flow orchestrating in this application: nothing could ever run the saga.
 */
export class UnorchestratedFlowError extends SagaDefinitionError {}

/**
 * A `@Task` / `@Compensate` handler decorates some of its parameters (`@SagaPayload()`, `@SagaCtx()`) but not
 * all: Nest would pass `undefined` to the others.
 */
export class UndecoratedTaskParameterError extends SagaDefinitionError {}
