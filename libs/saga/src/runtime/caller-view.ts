import type { SagaError, SagaFailure } from '../engine/saga-state';
import type { SagaStatusView } from '../interfaces/saga-status.interface';

/**
 * What a caller may read of an error: a refusal (`TaskRejectedError`) is written for callers and shown as it
 * is; any other error (a bug, a timeout, an outage) keeps only its name, and its text stays in the operator
 * status (`SagaAdmin.status`).
 */
export function callerError(error: SagaError): SagaError {
  if (error.rejected) {
    const { details } = error;
    return {
      name: error.name ?? 'TaskRejectedError',
      message: error.message,
      ...(details ? { details } : {}),
    };
  }
  const name = error.name ?? 'Error';
  return { name, message: `${name}: the details are in the operator status` };
}

export function callerFailure(failure: SagaFailure): SagaFailure {
  return { ...failure, error: callerError(failure.error) };
}

/**
 * The status view a caller gets (`SagaClient.status`, `GET /sagas/:id`): errors as {@link callerError} shows
 * them, and the timeline without who acted and why (`history` is for operators only).
 */
export function callerStatusView(view: SagaStatusView): SagaStatusView {
  const error = <T extends { error?: SagaError }>(item: T): T =>
    item.error ? { ...item, error: callerError(item.error) } : item;
  return {
    ...view,
    ...(view.failure ? { failure: callerFailure(view.failure) } : {}),
    ...(view.stall ? { stall: error(view.stall) } : {}),
    timeline: view.timeline.map(({ by: _by, reason: _reason, ...entry }) => error(entry)),
    history: [],
    steps: view.steps.map((step) => ({
      ...step,
      tasks: step.tasks.map((task) => ({
        ...error(task),
        ...(task.compensation ? { compensation: error(task.compensation) } : {}),
      })),
    })),
  };
}
