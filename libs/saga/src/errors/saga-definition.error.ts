/**
 * Base of every error found while discovering and validating saga declarations at bootstrap. Each subclass
 * names one fault; the message names the class and method and how to fix it.
 */
export abstract class SagaDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Two `@Saga` classes share a flow name. */
export class DuplicateSagaError extends SagaDefinitionError {}
/** Two `@Step`s of one saga share an order number or a name. */
export class DuplicateStepError extends SagaDefinitionError {}
/** A `@Step` lists no task. */
export class EmptyStepError extends SagaDefinitionError {}
/** A step or handler names a task that the contract does not have, or a task is in no step or in two. */
export class UnknownTaskError extends SagaDefinitionError {}
/** A saga has no step. */
export class EmptySagaError extends SagaDefinitionError {}
/** Two `@Task` (or two `@Compensate`) handlers for the same task in one application. */
export class DuplicateTaskHandlerError extends SagaDefinitionError {}
/** `@Compensate` for a task that has no `@Task` handler in this application. */
export class CompensationWithoutTaskError extends SagaDefinitionError {}
/** A compensable task hosted here has no `@Compensate` handler. */
export class MissingCompensationError extends SagaDefinitionError {}
/** A saga or task host is request-scoped. */
export class RequestScopedHostError extends SagaDefinitionError {}
/** A contract or module option has a bad value. */
export class InvalidSagaOptionError extends SagaDefinitionError {}
/** The module asks for a transport whose client library (an optional peer dependency) is not installed. */
export class MissingTransportClientError extends SagaDefinitionError {}
