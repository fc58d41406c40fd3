import type { SagaStatusView, SagaTimelineView, StepStatus } from './saga-status-view';
import type { SagaState, SagaTimelineEntry, StepState } from './saga-state';
import { upgradeSagaState } from './saga-state.upgrade';

function stepStatus(state: SagaState, step: StepState): StepStatus {
  const tasks = step.tasks;
  if (state.stall?.phase === 'forward' && state.stall.step === step.name) return 'stalled';
  // The step where the saga stopped reads 'failed', whatever was undone in it.
  if (state.failure?.step === step.name) return 'failed';
  const compensations = tasks.flatMap((t) => (t.compensation ? [t.compensation] : []));
  if (compensations.length > 0) {
    return compensations.every((c) => c.status === 'succeeded') ? 'compensated' : 'compensating';
  }
  if (tasks.every((t) => t.status === 'pending')) return 'pending';
  if (tasks.every((t) => t.status === 'succeeded')) return 'succeeded';
  // A quorum or best-effort step succeeded with some of its tasks.
  if (state.timeline?.some((e) => e.event === 'step-completed' && e.step === step.name)) return 'succeeded';
  return 'running';
}

/** Projects a saga's state to its public status view. */
export function sagaStatusView(stored: SagaState): SagaStatusView {
  const state = upgradeSagaState(stored);
  const timeline = state.timeline ?? [];
  return {
    id: state.id,
    flow: state.flow,
    status: state.status,
    traceId: state.traceId,
    createdAt: new Date(state.createdAt).toISOString(),
    updatedAt: new Date(state.updatedAt).toISOString(),
    ...(state.failure ? { failure: state.failure } : {}),
    ...(state.stall ? { stall: { ...state.stall, at: new Date(state.stall.at).toISOString() } } : {}),
    ...(state.result !== undefined ? { result: state.result } : {}),
    timeline: timeline.map(timelineView),
    history: timeline.filter((entry) => entry.event === 'action').map(timelineView),
    steps: state.steps.map((step) => ({
      name: step.name,
      status: stepStatus(state, step),
      tasks: step.tasks.map((task) => ({
        name: task.name,
        status: task.status,
        attempts: task.attempts,
        ...(task.output !== undefined ? { output: task.output } : {}),
        ...(task.error ? { error: task.error } : {}),
        ...(task.skipped ? { skipped: true } : {}),
        ...(task.compensation
          ? {
              compensation: {
                status: task.compensation.status,
                attempts: task.compensation.attempt,
                outcome: task.compensation.outcome,
                ...(task.compensation.error ? { error: task.compensation.error } : {}),
                ...(task.compensation.skipped ? { skipped: true } : {}),
              },
            }
          : {}),
      })),
    })),
  };
}

function timelineView(entry: SagaTimelineEntry): SagaTimelineView {
  const { at, actionId: _id, ...rest } = entry;
  return { at: new Date(at).toISOString(), ...rest };
}
