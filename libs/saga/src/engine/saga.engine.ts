import { backoffDelay } from './backoff';
import type { SagaCommand } from './saga-command';
import type { SagaEvent, SagaTimer, TimerKind } from './saga-event';
import type { PlannedStep, PlannedTask, SagaPlan, SagaView, StepAggregator } from './saga-plan';
import type { SagaOperatorAction } from './saga-operator-action';
import type { Json, SagaError, SagaState, SagaTimelineEntry, TaskState } from './saga-state';
import { isTerminal } from './saga-state';
import { upgradeSagaState } from './saga-state.upgrade';

/** Why an operator action was not applied: the saga's state does not allow it, or it names no task of the flow. */
export interface SagaRefusal {
  code: 'not-applicable' | 'unknown-task';
  message: string;
}

/** The result of feeding the engine: the next state and what the runtime must do once it is stored. */
export interface SagaTransition {
  state: SagaState;
  commands: SagaCommand[];
  /** False when the event changed nothing (a duplicate, stale or late message): store and send nothing. */
  changed: boolean;
  /** Set when an operator action does not apply (`changed` is false). */
  refused?: SagaRefusal;
}

export interface SagaStartRequest {
  id: string;
  traceId: string;
  input: Json;
  replyTo?: string[];
  callbackUrl?: string;
  now: number;
}

/** A worker's answer when an attempt's handler outran the task's timeout (the outcome is unknown). */
export const TASK_TIMEOUT_ERROR = 'TaskTimeoutError';
/** The task's `deadline` passed before it had an outcome. */
export const TASK_DEADLINE_ERROR = 'TaskDeadlineError';
/** The saga's `deadline` passed while some of its tasks had no outcome. */
export const SAGA_DEADLINE_ERROR = 'SagaDeadlineError';
export const STEP_MAPPER_ERROR = 'StepMapperError';
/** An operator rolled the saga back (`SagaAdmin` `compensate` or `cancel`). */
export const OPERATOR_COMPENSATION_ERROR = 'OperatorCompensation';
export const SAGA_CANCELLED_ERROR = 'SagaCancelled';
/** The contract's `result` threw, or returned what is not JSON: the saga stalls at its last step. */
export const SAGA_RESULT_ERROR = 'SagaResultError';
/** The saga stopped waiting for a running attempt (a `failFast` step failed, or it rolled back past a quorum step). */
export const TASK_ABANDONED_ERROR = 'TaskAbandoned';

/** Creates a saga and dispatches its first step. */
export function startSaga(plan: SagaPlan, request: SagaStartRequest): SagaTransition {
  const state: SagaState = {
    id: request.id,
    flow: plan.flow,
    traceId: request.traceId,
    status: 'running',
    input: request.input,
    step: 0,
    steps: plan.steps.map((step) => ({
      name: step.name,
      tasks: step.tasks.map((task) => ({ name: task.name, status: 'pending', attempts: 0 })),
    })),
    createdAt: request.now,
    updatedAt: request.now,
    version: 1,
    ...(request.replyTo?.length ? { replyTo: request.replyTo } : {}),
    ...(request.callbackUrl ? { callbackUrl: request.callbackUrl } : {}),
  };
  const transition = new Transition(plan, state, request.now);
  state.timeline = [];
  transition.announce('started');
  if (plan.deadlineMs !== undefined) transition.scheduleSagaDeadline(request.now + plan.deadlineMs);
  transition.startStep(0);
  return { state, commands: transition.commands, changed: true };
}

/** Applies one event. Never throws on a duplicate, stale or unknown event: it reports `changed: false`. */
export function applySagaEvent(plan: SagaPlan, stored: SagaState, event: SagaEvent): SagaTransition {
  const current = upgradeSagaState(stored);
  if (isTerminal(current.status)) {
    if (event.type !== 'operator') return unchanged(current);
    return refuse(current, `saga ${current.id} is ${current.status}: nothing can change it any more`);
  }
  const state = copyForTransition(current);
  const transition = new Transition(plan, state, event.now);
  if (event.type === 'operator') {
    if (event.id && current.timeline?.some((e) => e.actionId === event.id)) return unchanged(current);
    const refusal = transition.operate(event.action, event.id);
    if (refusal) return { ...unchanged(current), refused: refusal };
  } else if (!transition.apply(event)) return unchanged(current);
  state.version = current.version + 1;
  state.updatedAt = event.now;
  return { state, commands: transition.commands, changed: true };
}

/**
 * A copy a transition may change: every object and array it writes into is new, while the values it only
 * ever replaces whole (inputs, outputs, errors, timeline entries) are shared with `state`. Costs the number of
 * tasks, not the saga's bytes: a deep copy (it used to be `structuredClone`) copied every output on every
 * event. The property test freezes each state it feeds in, so a write into a shared value fails there.
 */
function copyForTransition(state: SagaState): SagaState {
  return {
    ...state,
    steps: state.steps.map((step) => ({
      ...step,
      tasks: step.tasks.map((task) =>
        task.compensation ? { ...task, compensation: { ...task.compensation } } : { ...task },
      ),
    })),
    ...(state.timeline ? { timeline: [...state.timeline] } : {}),
    ...(state.replyTo ? { replyTo: [...state.replyTo] } : {}),
  };
}

/**
 * Applies events in order as one transition, as `applySagaEvent` would one after the other: the state after
 * the last, every command of each event that changed the saga (in order), and the version moved on once per
 * change. So events that arrived together (the replies of a parallel step) are stored with one write.
 */
export function applySagaEvents(
  plan: SagaPlan,
  stored: SagaState,
  events: readonly SagaEvent[],
): SagaTransition {
  // One event is exactly applySagaEvent, an operator's refusal included.
  if (events.length === 1) return applySagaEvent(plan, stored, events[0]);
  let result = unchanged(stored);
  for (const event of events) {
    const transition = applySagaEvent(plan, result.state, event);
    if (!transition.changed) continue;
    result = {
      state: transition.state,
      commands: [...result.commands, ...transition.commands],
      changed: true,
    };
  }
  return result;
}

function unchanged(state: SagaState): SagaTransition {
  return { state, commands: [], changed: false };
}

function refuse(state: SagaState, message: string): SagaTransition {
  return { ...unchanged(state), refused: { code: 'not-applicable', message } };
}

interface Located {
  stepIndex: number;
  task: TaskState;
  planned: PlannedTask;
}

/** One transition under way: mutates its own copy of the state and collects commands. */
class Transition {
  readonly commands: SagaCommand[] = [];

  constructor(
    private readonly plan: SagaPlan,
    private readonly state: SagaState,
    private readonly now: number,
  ) {}

  apply(event: Exclude<SagaEvent, { type: 'operator' }>): boolean {
    if (event.type === 'timer' && event.timer.kind === 'saga-deadline') return this.onSagaDeadline();
    const name = event.type === 'timer' ? event.timer.task : event.task;
    const located = name === undefined ? undefined : this.locate(name);
    if (!located) return false;
    switch (event.type) {
      case 'task-succeeded':
        return this.onTaskSucceeded(located, event.attempt, event.output);
      case 'task-failed':
        return this.onTaskFailed(located, event);
      case 'compensation-succeeded':
        return this.onCompensationSucceeded(located, event.attempt);
      case 'compensation-failed':
        return this.onCompensationFailed(located, event.attempt, event.error, event.retryable ?? true);
      case 'timer':
        return this.onTimer(located, event.timer);
    }
  }

  /** Applies an operator action; returns why it does not apply, or undefined once applied. */
  operate(action: SagaOperatorAction, actionId?: string): SagaRefusal | undefined {
    const { by, reason } = action;
    const task = 'task' in action ? action.task : undefined;
    this.log({
      event: 'action',
      action: action.type,
      ...(task ? { task } : {}),
      by,
      reason,
      ...(actionId ? { actionId } : {}),
    });
    switch (action.type) {
      case 'retry':
        return this.operatorRetry(action.task);
      case 'resume':
        return this.operatorResume();
      case 'skip':
        return this.operatorSkip(action.task, action.output ?? null);
      case 'compensate':
      case 'cancel':
        return this.operatorCompensate(action);
    }
  }

  /** Publishes a lifecycle event, unless the flow turned it off. */
  announce(event: Extract<SagaCommand, { type: 'announce' }>['event'], step?: string, task?: string): void {
    if (!this.plan.events?.includes(event)) return;
    this.commands.push({ type: 'announce', event, ...(step ? { step } : {}), ...(task ? { task } : {}) });
  }

  scheduleSagaDeadline(dueAt: number): void {
    this.commands.push({ type: 'schedule', timer: { kind: 'saga-deadline', attempt: 1, dueAt } });
  }

  startStep(index: number): void {
    this.state.step = index;
    if (index >= this.plan.steps.length) {
      this.finishCompleted();
      return;
    }
    const planned = this.plan.steps[index];
    this.log({ event: 'step-started', step: planned.name });
    let inputs: unknown[];
    try {
      inputs = stepInputs(planned, planned.map(this.view()));
    } catch (error) {
      const failed = this.state.steps[index].tasks[0];
      failed.status = 'failed';
      failed.error = {
        name: STEP_MAPPER_ERROR,
        message: `step '${planned.name}' could not map its inputs: ${describe(error)}`,
      };
      this.failStep(index, failed);
      return;
    }
    planned.tasks.forEach((task, i) => {
      const state = this.state.steps[index].tasks[i];
      state.input = inputs[i] as Json;
      this.dispatchTask(index, state, task);
    });
  }

  /** Running, or stalled at a step whose tasks may still move it on: forward progress is allowed. */
  private forwardActive(): boolean {
    return this.state.status === 'running' || this.state.stall?.phase === 'forward';
  }

  private onTaskSucceeded({ stepIndex, task }: Located, attempt: number, output: Json): boolean {
    if (attempt < 1 || attempt > task.attempts) return false;
    if (task.status !== 'running' && task.status !== 'waiting' && task.status !== 'unknown') return false;
    task.status = 'succeeded';
    task.output = output;
    delete task.error;
    delete task.uncertain;
    this.log({ event: 'attempt-succeeded', step: this.stepName(stepIndex), task: task.name, attempt });
    if (this.forwardActive()) this.stepProgressed(stepIndex);
    else this.compensateIfSettled(stepIndex);
    return true;
  }

  /**
   * A task of the current step succeeded, or an operator moved it on: the next step starts once the step's
   * aggregator says it succeeded, and a stall ends once the step can succeed again.
   */
  private stepProgressed(stepIndex: number): void {
    if (stepIndex !== this.state.step) return;
    const verdict = this.verdict(stepIndex);
    if (this.state.status === 'stalled' && verdict !== 'failed') {
      this.state.status = 'running';
      delete this.state.stall;
    }
    if (this.state.status === 'running' && verdict === 'succeeded') this.completeStep(stepIndex);
  }

  /** What the step's aggregator makes of its tasks so far. */
  private verdict(stepIndex: number): StepVerdict {
    return stepVerdict(this.plan.steps[stepIndex].aggregator ?? 'all', this.state.steps[stepIndex].tasks);
  }

  /** The step succeeded: tasks waiting to retry are cancelled (those still running go on), the next step starts. */
  private completeStep(stepIndex: number): void {
    for (const task of this.state.steps[stepIndex].tasks) if (task.status === 'waiting') this.cancel(task);
    this.log({ event: 'step-completed', step: this.stepName(stepIndex) });
    this.announce('step-completed', this.stepName(stepIndex));
    this.startStep(stepIndex + 1);
  }

  /** A task backing off before its next attempt is not retried; after an attempt that may have taken effect its outcome is unknown. */
  private cancel(task: TaskState): void {
    task.status = task.uncertain ? 'unknown' : 'cancelled';
  }

  private onTaskFailed(located: Located, event: Extract<SagaEvent, { type: 'task-failed' }>): boolean {
    const { task } = located;
    if (task.status !== 'running' || event.attempt !== task.attempts) return false;
    this.attemptFailed(located, event.error, event.retryable, event.outcome === 'unknown');
    return true;
  }

  private onTimer(located: Located, timer: SagaTimer): boolean {
    const { task, planned, stepIndex } = located;
    const compensation = task.compensation;
    switch (timer.kind) {
      case 'task-retry':
        if (task.status !== 'waiting' || timer.attempt !== task.attempts || !this.forwardActive())
          return false;
        this.dispatchTask(stepIndex, task, planned);
        return true;
      case 'task-deadline':
        if (!isOpen(task)) return false;
        this.giveUp(stepIndex, task, {
          name: TASK_DEADLINE_ERROR,
          message: `no outcome within ${planned.policy.deadlineMs} ms of its first dispatch`,
        });
        this.taskEnded(stepIndex, task);
        return true;
      case 'compensation-retry':
        if (compensation?.status !== 'waiting' || compensation.attempt !== timer.attempt) return false;
        this.dispatchCompensation(stepIndex, task);
        return true;
      default:
        // Timers of an earlier version (per-attempt timeouts) mean nothing now.
        return false;
    }
  }

  /** The saga's deadline: every task of its current step still without an outcome ends now. */
  private onSagaDeadline(): boolean {
    const stepIndex = this.state.step;
    const open = this.state.steps[stepIndex].tasks.filter(isOpen);
    if (open.length === 0) return false;
    const error = {
      name: SAGA_DEADLINE_ERROR,
      message: `saga not finished within ${this.plan.deadlineMs} ms of its start`,
    };
    for (const task of open) this.giveUp(stepIndex, task, error);
    // The saga's deadline fails its step whatever the step's aggregator would make of it.
    if (this.state.status === 'running') this.failStep(stepIndex, open[0]);
    else this.taskEnded(stepIndex, open[0]);
    return true;
  }

  /** The current attempt failed or outran its timeout: retry, or end the task without success. */
  private attemptFailed(
    { stepIndex, task, planned }: Located,
    error: SagaError,
    retryable: boolean,
    uncertain: boolean,
  ): void {
    task.error = error;
    if (uncertain) task.uncertain = true;
    else delete task.uncertain;
    this.logAttemptFailed(stepIndex, task, error);
    const used = task.attempts - (task.retriedAfter ?? 0);
    const awaited = stepIndex === this.state.step;
    if (this.forwardActive() && awaited && retryable && used < planned.policy.attempts) {
      task.status = 'waiting';
      const delay = backoffDelay(planned.policy, `${this.state.id}/${task.name}`, task.attempts);
      this.schedule('task-retry', task.name, task.attempts, this.now + delay);
      return;
    }
    // An attempt that may have taken effect is compensated (outcome unknown); a failed one never is.
    task.status = uncertain ? 'unknown' : 'failed';
    this.taskEnded(stepIndex, task);
  }

  /** The saga stops waiting for a running attempt: its outcome is unknown (the barrier fences it if late). */
  private abandon(stepIndex: number, task: TaskState, why: string): void {
    this.giveUp(stepIndex, task, { name: TASK_ABANDONED_ERROR, message: `no longer awaited: ${why}` });
  }

  /** Waiting is over for a task without an outcome: unknown if an attempt may still take effect. */
  private giveUp(stepIndex: number, task: TaskState, error: SagaError): void {
    if (task.status === 'running') this.logAttemptFailed(stepIndex, task, error);
    task.status = task.status === 'running' || task.uncertain ? 'unknown' : 'failed';
    task.error = error;
  }

  /**
   * A task ended without success: its step fails or (with `bestEffort`) succeeds as its aggregator says, or a
   * compensation waiting for it may begin. A saga already stalled stays so: another task of its step ending too
   * changes nothing an operator must decide. A task its step no longer waits for (past a quorum) changes nothing.
   */
  private taskEnded(stepIndex: number, task: TaskState): void {
    if (stepIndex !== this.state.step) return;
    if (this.state.status === 'compensating') this.compensateIfSettled(stepIndex);
    if (this.state.status !== 'running') return;
    const verdict = this.verdict(stepIndex);
    if (verdict === 'failed') this.failStep(stepIndex, task);
    else if (verdict === 'succeeded') this.completeStep(stepIndex);
  }

  private failStep(stepIndex: number, failed: TaskState): void {
    const step = this.stepName(stepIndex);
    const error = failed.error ?? { message: 'failed' };
    this.log({ event: 'step-failed', step, task: failed.name, error });
    if (this.plan.steps[stepIndex].onFailure === 'stall' || this.pastPivot(stepIndex)) {
      this.stall('forward', stepIndex, failed.name, error);
      return;
    }
    this.beginCompensation(stepIndex, { step, task: failed.name, error });
  }

  /** A step after the pivot: the saga may only go forward from it. */
  private pastPivot(stepIndex: number): boolean {
    return this.plan.steps.slice(0, stepIndex).some((step) => step.pivot);
  }

  /** The saga rolls back from `stepIndex`: waiting tasks are cancelled, running ones awaited, then undone. */
  private beginCompensation(stepIndex: number, failure: NonNullable<SagaState['failure']>): void {
    this.state.status = 'compensating';
    this.state.step = stepIndex;
    this.state.failure = failure;
    delete this.state.stall;
    this.announce('rollback', failure.step, failure.task);
    const failFast = this.plan.steps[stepIndex].aggregator === 'failFast';
    for (const sibling of this.state.steps[stepIndex].tasks) {
      if (sibling.status === 'waiting') this.cancel(sibling);
      if (sibling.status === 'running' && failFast) {
        this.abandon(stepIndex, sibling, `its step failed fast when '${failure.task}' ended without success`);
      }
    }
    this.compensateIfSettled(stepIndex);
  }

  /** Stops the saga at `stepIndex` for an operator; announced (and answered) once per stall. */
  private stall(phase: 'forward' | 'compensation', stepIndex: number, task: string, error: SagaError): void {
    if (this.state.status === 'stalled') return;
    const step = this.stepName(stepIndex);
    this.state.status = 'stalled';
    this.state.step = stepIndex;
    this.state.stall = { phase, step, task, error, at: this.now };
    this.log({ event: 'stalled', step, task, error });
    // Callers learn why the saga failed in the first place; the stall itself is in the status.
    const failure = this.state.failure ?? { step, task, error };
    this.commands.push({ type: 'finish', status: 'stalled', failure });
  }

  /** Compensation of the failed step waits until none of its tasks is still running. */
  private compensateIfSettled(stepIndex: number): void {
    if (this.state.status !== 'compensating' || stepIndex !== this.state.step) return;
    const tasks = this.state.steps[stepIndex].tasks;
    if (tasks.some((t) => t.compensation) || tasks.some((t) => t.status === 'running')) return;
    this.compensateFrom(stepIndex);
  }

  /**
   * Compensates the newest step at or below `stepIndex` that has something to undo; its tasks in parallel. A
   * task still running in an older step (past its quorum) is not waited for: it is undone as unknown.
   */
  private compensateFrom(stepIndex: number): void {
    for (let index = stepIndex; index >= 0; index--) {
      for (const task of this.state.steps[index].tasks)
        if (task.status === 'running') this.abandon(index, task, 'the saga rolled back while it ran');
      const toUndo = this.plan.steps[index].tasks
        .map((planned, i) => ({ planned, task: this.state.steps[index].tasks[i] }))
        .filter(({ planned, task }) => planned.policy.compensable && needsCompensation(task));
      if (toUndo.length === 0) continue;
      this.state.step = index;
      for (const { task } of toUndo) this.dispatchCompensation(index, task);
      return;
    }
    this.finishCompensated();
  }

  private onCompensationSucceeded({ stepIndex, task }: Located, attempt: number): boolean {
    const compensation = task.compensation;
    if (!compensation || attempt > compensation.attempt) return false;
    if (compensation.status !== 'running' && compensation.status !== 'waiting') return false;
    compensation.status = 'succeeded';
    delete compensation.error;
    this.log({ event: 'compensation-succeeded', step: this.stepName(stepIndex), task: task.name, attempt });
    this.compensationProgressed(stepIndex);
    return true;
  }

  /**
   * A compensation of the step being undone succeeded, or an operator moved it on: a stall ends once none of
   * them has failed, and the next older step is undone once all of them succeeded.
   */
  private compensationProgressed(stepIndex: number): void {
    if (stepIndex !== this.state.step) return;
    const tasks = this.state.steps[stepIndex].tasks;
    if (this.state.status === 'stalled' && !tasks.some((t) => t.compensation?.status === 'failed')) {
      this.state.status = 'compensating';
      delete this.state.stall;
    }
    if (
      this.state.status === 'compensating' &&
      tasks.every((t) => !t.compensation || t.compensation.status === 'succeeded')
    ) {
      this.compensateFrom(stepIndex - 1);
    }
  }

  private onCompensationFailed(
    located: Located,
    attempt: number,
    error: SagaError,
    retryable: boolean,
  ): boolean {
    const compensation = located.task.compensation;
    if (compensation?.status !== 'running' || compensation.attempt !== attempt) return false;
    this.compensationAttemptFailed(located, error, retryable);
    return true;
  }

  /** Retries with backoff within the horizon; past it, or when the handler refused, the saga stalls. */
  private compensationAttemptFailed(
    { stepIndex, task, planned }: Located,
    error: SagaError,
    retryable: boolean,
  ): void {
    const compensation = task.compensation!;
    compensation.error = error;
    const step = this.stepName(stepIndex);
    this.log({ event: 'compensation-failed', step, task: task.name, attempt: compensation.attempt, error });
    const delay = backoffDelay(planned.policy, `${this.state.id}/${task.name}/undo`, compensation.attempt);
    const horizonEnds = (compensation.since ?? this.now) + planned.policy.compensationHorizonMs;
    if (retryable && this.now + delay <= horizonEnds) {
      compensation.status = 'waiting';
      this.schedule('compensation-retry', task.name, compensation.attempt, this.now + delay);
      return;
    }
    compensation.status = 'failed';
    this.stall('compensation', stepIndex, task.name, error);
  }

  private operatorRetry(name: string): SagaRefusal | undefined {
    const target = this.target(name);
    if ('code' in target) return target;
    const { stepIndex, task, planned } = target;
    if (this.forwardActive()) {
      const refused = this.unsettledTask(task);
      if (refused) return refused;
      if (task.attempts === 0) {
        // The step's inputs could not be mapped: map them again.
        this.restartStep(stepIndex);
        return undefined;
      }
      if (task.status !== 'waiting') task.retriedAfter = task.attempts;
      this.dispatchTask(stepIndex, task, planned);
      this.stepProgressed(stepIndex);
      return undefined;
    }
    const refused = this.unsettledCompensation(task);
    if (refused) return refused;
    this.dispatchCompensation(stepIndex, task);
    this.compensationProgressed(stepIndex);
    return undefined;
  }

  private operatorResume(): SagaRefusal | undefined {
    if (this.state.status !== 'stalled' || !this.state.stall) {
      return this.refusal(`resume applies to a stalled saga; the saga is ${this.where()}`);
    }
    const stepIndex = this.state.step;
    const tasks = this.state.steps[stepIndex].tasks;
    if (this.state.stall.phase === 'compensation') {
      for (const task of tasks)
        if (task.compensation?.status === 'failed') this.dispatchCompensation(stepIndex, task);
      this.compensationProgressed(stepIndex);
      return undefined;
    }
    if (tasks.some((t) => t.attempts === 0 && t.status === 'failed')) {
      this.restartStep(stepIndex);
      return undefined;
    }
    if (this.state.stall.error.name === SAGA_RESULT_ERROR) {
      // Every step succeeded: compose the result again (its code may have been fixed since).
      this.state.status = 'running';
      delete this.state.stall;
      this.finishCompleted();
      return undefined;
    }
    this.plan.steps[stepIndex].tasks.forEach((planned, i) => {
      const task = tasks[i];
      if (!endedWithoutSuccess(task)) return;
      task.retriedAfter = task.attempts;
      this.dispatchTask(stepIndex, task, planned);
    });
    this.stepProgressed(stepIndex);
    return undefined;
  }

  private operatorSkip(name: string, output: Json): SagaRefusal | undefined {
    const target = this.target(name);
    if ('code' in target) return target;
    const { stepIndex, task } = target;
    if (this.forwardActive()) {
      const refused = this.unsettledTask(task);
      if (refused) return refused;
      if (this.state.steps[stepIndex].tasks.some((t) => t.status === 'pending')) {
        return this.refusal(
          `the inputs of step '${this.stepName(stepIndex)}' could not be mapped: retry or compensate it; the saga is ${this.where()}`,
        );
      }
      task.status = 'succeeded';
      task.output = output;
      task.skipped = true;
      delete task.error;
      delete task.uncertain;
      this.stepProgressed(stepIndex);
      return undefined;
    }
    const refused = this.unsettledCompensation(task);
    if (refused) return refused;
    const compensation = task.compensation!;
    compensation.status = 'succeeded';
    compensation.skipped = true;
    delete compensation.error;
    this.compensationProgressed(stepIndex);
    return undefined;
  }

  /** The task an action names, in the step the saga is at; or why it cannot be acted on. */
  private target(name: string): Located | SagaRefusal {
    const located = this.locate(name);
    if (!located) return this.unknownTask(name);
    if (located.stepIndex !== this.state.step) {
      const step = this.stepName(located.stepIndex);
      return this.refusal(`task '${name}' is in step '${step}'; the saga is ${this.where()}`);
    }
    return located;
  }

  /** Why a task cannot be retried or skipped going forward: an attempt is out, or it is done. */
  private unsettledTask(task: TaskState): SagaRefusal | undefined {
    const here = this.where();
    if (task.status === 'running')
      return this.refusal(`task '${task.name}' has attempt ${task.attempts} out; the saga is ${here}`);
    if (task.status === 'succeeded')
      return this.refusal(`task '${task.name}' already succeeded; the saga is ${here}`);
    if (task.status === 'pending')
      return this.refusal(`task '${task.name}' was never dispatched; the saga is ${here}`);
    return undefined;
  }

  /** Why a task's compensation cannot be retried or skipped: none under way, an attempt is out, or it is done. */
  private unsettledCompensation(task: TaskState): SagaRefusal | undefined {
    const here = this.where();
    const compensation = task.compensation;
    if (!compensation)
      return this.refusal(`task '${task.name}' is not being compensated; the saga is ${here}`);
    if (compensation.status === 'running') {
      return this.refusal(
        `the compensation of '${task.name}' has attempt ${compensation.attempt} out; the saga is ${here}`,
      );
    }
    if (compensation.status === 'succeeded')
      return this.refusal(`task '${task.name}' is already compensated; the saga is ${here}`);
    return undefined;
  }

  private operatorCompensate(
    action: Extract<SagaOperatorAction, { type: 'compensate' | 'cancel' }>,
  ): SagaRefusal | undefined {
    const cancel = action.type === 'cancel';
    if (cancel && this.state.status !== 'running') {
      return this.refusal(
        `cancel applies to a running saga (compensate rolls back a stalled one); the saga is ${this.where()}`,
      );
    }
    if (!this.forwardActive()) return this.refusal(`the saga is already rolling back: it is ${this.where()}`);
    const stepIndex = this.state.step;
    if (this.pastPivot(stepIndex)) {
      const pivot = this.plan.steps.find((step) => step.pivot)!.name;
      return this.refusal(
        `the saga is past its pivot step '${pivot}': it can only go forward (retry, skip or resume); it is ${this.where()}`,
      );
    }
    const tasks = this.state.steps[stepIndex].tasks;
    const task = this.state.stall?.task ?? (tasks.find((t) => t.status !== 'succeeded') ?? tasks[0]).name;
    const error = {
      name: cancel ? SAGA_CANCELLED_ERROR : OPERATOR_COMPENSATION_ERROR,
      message: `${cancel ? 'cancelled' : 'compensated'} by ${action.by}: ${action.reason}`,
    };
    this.beginCompensation(stepIndex, { step: this.stepName(stepIndex), task, error });
    return undefined;
  }

  /** Maps the step's inputs again and dispatches every task of it (after its mapper failed). */
  private restartStep(stepIndex: number): void {
    for (const task of this.state.steps[stepIndex].tasks) {
      task.status = 'pending';
      delete task.error;
    }
    this.state.status = 'running';
    delete this.state.stall;
    this.startStep(stepIndex);
  }

  private dispatchTask(stepIndex: number, task: TaskState, planned: PlannedTask): void {
    task.attempts += 1;
    task.status = 'running';
    const step = this.stepName(stepIndex);
    this.log({ event: 'attempt-started', step, task: task.name, attempt: task.attempts });
    this.commands.push({
      type: 'run-task',
      step,
      task: task.name,
      attempt: task.attempts,
      input: task.input ?? null,
    });
    const deadline = planned.policy.deadlineMs;
    if (task.attempts === 1 && deadline !== undefined)
      this.schedule('task-deadline', task.name, 1, this.now + deadline);
  }

  /** Dispatches the next attempt of a task's compensation; a new round (first, or after it failed) restarts its horizon. */
  private dispatchCompensation(stepIndex: number, task: TaskState): void {
    const outcome = task.status === 'succeeded' ? 'succeeded' : 'unknown';
    const previous = task.compensation;
    const attempt = (previous?.attempt ?? 0) + 1;
    const since = previous?.status === 'waiting' ? (previous.since ?? this.now) : this.now;
    task.compensation = { ...previous, status: 'running', attempt, outcome, since };
    const step = this.stepName(stepIndex);
    this.log({ event: 'compensation-started', step, task: task.name, attempt });
    this.commands.push({
      type: 'compensate-task',
      step,
      task: task.name,
      attempt,
      input: task.input ?? null,
      ...(task.output !== undefined ? { output: task.output } : {}),
      outcome,
    });
  }

  /** Every step succeeded: the saga completes with its result, or stalls at its last step if it cannot compose it. */
  private finishCompleted(): void {
    const last = this.plan.steps.length - 1;
    this.state.step = last;
    let result: Json;
    try {
      result = this.plan.result ? asJson(this.plan.result(this.view())) : sagaResult(this.state);
    } catch (error) {
      const message = `the flow's result could not be composed: ${describe(error)}`;
      this.stall('forward', last, this.state.steps[last].tasks[0].name, { name: SAGA_RESULT_ERROR, message });
      return;
    }
    this.state.status = 'completed';
    if (this.plan.result) this.state.result = result;
    this.log({ event: 'completed' });
    this.commands.push({ type: 'finish', status: 'completed', result });
  }

  private finishCompensated(): void {
    this.state.status = 'compensated';
    this.state.step = this.state.steps.findIndex((s) => s.name === this.state.failure?.step);
    this.log({ event: 'compensated' });
    this.commands.push({ type: 'finish', status: 'compensated', failure: this.state.failure });
  }

  private schedule(kind: TimerKind, task: string, attempt: number, dueAt: number): void {
    this.commands.push({ type: 'schedule', timer: { kind, task, attempt, dueAt } });
  }

  private log(entry: Omit<SagaTimelineEntry, 'at'>): void {
    (this.state.timeline ??= []).push({ at: this.now, ...entry });
  }

  private logAttemptFailed(stepIndex: number, task: TaskState, error: SagaError): void {
    const step = this.stepName(stepIndex);
    this.log({ event: 'attempt-failed', step, task: task.name, attempt: task.attempts, error });
  }

  private stepName(stepIndex: number): string {
    return this.state.steps[stepIndex].name;
  }

  /** Where the saga stands, for refusals: `stalled at step 'payment'`. */
  private where(): string {
    return `${this.state.status} at step '${this.stepName(this.state.step)}'`;
  }

  private refusal(message: string): SagaRefusal {
    return { code: 'not-applicable', message: `${message}.` };
  }

  private unknownTask(name: string): SagaRefusal {
    const known = this.plan.steps.flatMap((s) => s.tasks.map((t) => t.name));
    return {
      code: 'unknown-task',
      message: `flow '${this.plan.flow}' has no task '${name}' (tasks: ${known.join(', ')}).`,
    };
  }

  private locate(name: string): Located | undefined {
    for (let stepIndex = 0; stepIndex < this.plan.steps.length; stepIndex++) {
      const i = this.plan.steps[stepIndex].tasks.findIndex((t) => t.name === name || t.key === name);
      if (i >= 0)
        return {
          stepIndex,
          task: this.state.steps[stepIndex].tasks[i],
          planned: this.plan.steps[stepIndex].tasks[i],
        };
    }
    return undefined;
  }

  private view(): SagaView {
    return sagaView(this.plan, this.state);
  }
}

type StepVerdict = 'succeeded' | 'failed' | 'open';

/**
 * What an aggregator makes of a step's tasks: succeeded, failed (it cannot succeed any more), or open. A step
 * with a task still pending could not map its inputs: it has failed.
 */
function stepVerdict(aggregator: StepAggregator, tasks: readonly TaskState[]): StepVerdict {
  let succeeded = 0;
  let ended = 0;
  for (const task of tasks) {
    if (task.status === 'pending') return 'failed';
    if (task.status === 'succeeded') succeeded++;
    else if (endedWithoutSuccess(task)) ended++;
  }
  if (aggregator === 'bestEffort') return succeeded + ended === tasks.length ? 'succeeded' : 'open';
  const needed = typeof aggregator === 'object' ? aggregator.quorum : tasks.length;
  if (succeeded >= needed) return 'succeeded';
  return tasks.length - ended < needed ? 'failed' : 'open';
}

/** Ended without success: what stalls a step, and what `resume` runs again. */
function endedWithoutSuccess(task: TaskState): boolean {
  return task.status === 'failed' || task.status === 'unknown' || task.status === 'cancelled';
}

/** Dispatched and without an outcome yet: an attempt is out, or the next one is due. */
function isOpen(task: TaskState): boolean {
  return task.status === 'running' || task.status === 'waiting';
}

function needsCompensation(task: TaskState): boolean {
  return task.status === 'succeeded' || task.status === 'unknown';
}

/** Outputs of the saga's tasks by wire name: the result of a completed saga. */
export function sagaResult(state: SagaState): { [task: string]: Json } {
  const result: { [task: string]: Json } = {};
  for (const step of state.steps) {
    for (const task of step.tasks) if (task.status === 'succeeded') result[task.name] = task.output ?? null;
  }
  return result;
}

/** Names of the tasks whose compensation succeeded, newest step first. */
export function compensatedTasks(state: SagaState): string[] {
  return [...state.steps]
    .reverse()
    .flatMap((step) => step.tasks.filter((t) => t.compensation?.status === 'succeeded').map((t) => t.name));
}

export function sagaView(plan: SagaPlan, state: SagaState): SagaView {
  const outputs = sagaResult(state);
  const keyToName = new Map(plan.steps.flatMap((s) => s.tasks.map((t) => [t.key, t.name] as const)));
  return {
    sagaId: state.id,
    traceId: state.traceId,
    input: state.input,
    out(task: string): Json {
      const name = keyToName.get(task) ?? task;
      if (!(name in outputs)) throw new Error(`task '${task}' has no output yet`);
      return outputs[name];
    },
  };
}

/** `value` as the JSON it is sent as; throws if it cannot be. */
function asJson(value: unknown): Json {
  const text = JSON.stringify(value ?? null) as string | undefined;
  if (text === undefined) throw new Error(`it returned ${describeValue(value)}, which is not JSON`);
  return JSON.parse(text) as Json;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The input of each task of a step, in the step's order, from what its mapper returned: an object with one
 * key per task (property or wire name) and no other. A misspelled key would otherwise leave a task without
 * its input, so it is an error, as is a missing one.
 */
function stepInputs(step: PlannedStep, returned: unknown): unknown[] {
  if (typeof returned !== 'object' || returned === null || Array.isArray(returned)) {
    throw new Error(`it returned ${describeValue(returned)}; expected an object with an input for each task`);
  }
  const given = returned as Record<string, unknown>;
  const inputs = step.tasks.map((task) =>
    Object.hasOwn(given, task.key) ? given[task.key] : given[task.name],
  );
  const missing = step.tasks.filter((_, i) => inputs[i] === undefined).map((task) => quote(task.key));
  if (missing.length > 0) throw new Error(`it gave no input for ${missing.join(', ')}`);
  const known = new Set(step.tasks.flatMap((task) => [task.key, task.name]));
  const unknown = Object.keys(given).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    const tasks = step.tasks.map((task) => quote(task.key)).join(', ');
    throw new Error(`it returned ${unknown.map(quote).join(', ')}, not a task of the step (${tasks})`);
  }
  return inputs;
}

function quote(name: string): string {
  return `'${name}'`;
}

function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
