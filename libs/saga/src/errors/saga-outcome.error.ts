import type { SagaFailure, SagaStatus } from '../engine/saga-state';
import type { SagaContract, SagaResult } from '../definition/saga-contract';

/** Fields common to every outcome error, for responses and logs. */
export interface SagaOutcome {
  sagaId: string;
  traceId: string;
  flow: string;
}

/**
 * Base of the errors `SagaClient.run` throws for an outcome other than success. `SagaExceptionFilter` maps
 * each to its HTTP meaning.
 */
export abstract class SagaOutcomeError extends Error implements SagaOutcome {
  abstract readonly status: SagaStatus | 'running';

  constructor(
    message: string,
    readonly sagaId: string,
    readonly traceId: string,
    readonly flow: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The saga failed at one step and every task that had taken effect was undone (HTTP 409, gRPC ABORTED). */
export class SagaCompensatedError extends SagaOutcomeError {
  readonly status = 'compensated' as const;

  constructor(
    outcome: SagaOutcome,
    readonly failure: SagaFailure,
    readonly compensated: string[],
  ) {
    super(
      `Saga ${outcome.sagaId} was rolled back: task '${failure.task}' of step '${failure.step}' failed (${failure.error.message}).`,
      outcome.sagaId,
      outcome.traceId,
      outcome.flow,
    );
  }
}

/**
 * The saga stopped at one step and waits for an operator (`SagaAdmin`): a compensation kept failing past its
 * horizon, or a step with `onFailure: 'stall'` failed (HTTP 500, gRPC INTERNAL). It never expires; once an
 * operator resumes it, it ends as any saga does.
 */
export class SagaStalledError extends SagaOutcomeError {
  readonly status = 'stalled' as const;

  constructor(
    outcome: SagaOutcome,
    readonly failure: SagaFailure | undefined,
    readonly compensated: string[],
  ) {
    super(
      failure
        ? `Saga ${outcome.sagaId} is stalled: task '${failure.task}' of step '${failure.step}' failed and the saga waits for an operator.`
        : `Saga ${outcome.sagaId} is stalled and waits for an operator.`,
      outcome.sagaId,
      outcome.traceId,
      outcome.flow,
    );
  }
}

/** @deprecated renamed {@link SagaStalledError}: a saga that gives up is stalled, not failed. */
export const SagaFailedError = SagaStalledError;
/** @deprecated renamed {@link SagaStalledError}. */
export type SagaFailedError = SagaStalledError;

/** The caller's wait budget ran out; the saga goes on (HTTP 202 with its status URL). */
export class SagaWaitExceededError extends SagaOutcomeError {
  readonly status = 'running' as const;

  constructor(
    outcome: SagaOutcome,
    readonly waitMs: number,
    message: string,
  ) {
    super(message, outcome.sagaId, outcome.traceId, outcome.flow);
  }
}

/** The saga input failed validation; nothing was started (HTTP 400, gRPC INVALID_ARGUMENT). */
export class SagaInputError extends Error {
  override readonly name = 'SagaInputError';

  constructor(
    message: string,
    readonly flow: string,
    /** One message per bad field, e.g. `quantity must not be less than 1`. */
    readonly fields: { field: string; messages: string[] }[],
  ) {
    super(message);
  }
}

/** No saga has this id (HTTP 404, gRPC NOT_FOUND). */
export class SagaNotFoundError extends Error {
  override readonly name = 'SagaNotFoundError';

  constructor(
    message: string,
    readonly sagaId: string,
  ) {
    super(message);
  }
}

/** A start named a flow that no contract declares. */
export class UnknownFlowError extends Error {
  override readonly name = 'UnknownFlowError';
}

/** The completed result of `SagaClient.run`, typed by the flow's contract `C`. */
export interface SagaCompleted<C extends SagaContract = SagaContract> extends SagaOutcome {
  status: 'completed';
  /**
   * What the contract's `result` composed; without one, the outputs of every task by wire name
   * (`result['create-order']` is `createOrder`'s output).
   */
  result: SagaResult<C>;
}
