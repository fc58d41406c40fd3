import { backoffDelay } from './backoff';
import type { SagaCommand } from './saga-command';
import type { SagaEvent, SagaTimer, TimerKind } from './saga-event';
import type { PlannedTask, SagaPlan, SagaView } from './saga-plan';
import type { Json, SagaError, SagaState, TaskState } from './saga-state';
import { isTerminal } from './saga-state';

/** The result of feeding the engine: the next state and what the runtime must do once it is stored. */
export interface SagaTransition {
  state: SagaState;
  commands: SagaCommand[];
  /** False when the event changed nothing (a duplicate, stale or late message): store and send nothing. */
  changed: boolean;
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
  transition.announce('started');
  if (plan.deadlineMs !== undefined) transition.scheduleSagaDeadline(request.now + plan.deadlineMs);
  transition.startStep(0);
  return { state, commands: transition.commands, changed: true };
}

/** Applies one event. Never throws on a duplicate, stale or unknown event: it reports `changed: false`. */
export function applySagaEvent(plan: SagaPlan, current: SagaState, event: SagaEvent): SagaTransition {
  if (isTerminal(current.status)) return unchanged(current);
  const state = structuredClone(current);
  const transition = new Transition(plan, state, event.now);
  if (!transition.apply(event)) return unchanged(current);
  state.version = current.version + 1;
  state.updatedAt = event.now;
  return { state, commands: transition.commands, changed: true };
}

function unchanged(state: SagaState): SagaTransition {
  return { state, commands: [], changed: false };
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

  apply(event: SagaEvent): boolean {
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
        return this.onCompensationFailed(located, event.attempt, event.error);
      case 'timer':
        return this.onTimer(located, event.timer);
    }
  }

  /** Publishes a lifecycle event, unless the flow turned it off. */
  announce(event: Extract<SagaCommand, { type: 'announce' }>['event'], step?: string, task?: string): void {
    if (this.plan.events && !this.plan.events.includes(event)) return;
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
    let inputs: Record<string, unknown>;
    try {
      inputs = planned.map(this.view()) ?? {};
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
      const input = inputs[task.key] ?? inputs[task.name] ?? this.state.input;
      state.input = input as Json;
      this.dispatchTask(index, state, task);
    });
  }

  private onTaskSucceeded({ stepIndex, task }: Located, attempt: number, output: Json): boolean {
    if (attempt < 1 || attempt > task.attempts) return false;
    if (task.status !== 'running' && task.status !== 'waiting' && task.status !== 'unknown') return false;
    task.status = 'succeeded';
    task.output = output;
    delete task.error;
    delete task.uncertain;
    if (this.state.status === 'running') {
      if (this.state.steps[stepIndex].tasks.every((t) => t.status === 'succeeded')) {
        this.announce('step-completed', this.state.steps[stepIndex].name);
        this.startStep(stepIndex + 1);
      }
    } else {
      this.compensateIfSettled(stepIndex);
    }
    return true;
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
        if (task.status !== 'waiting' || timer.attempt !== task.attempts || this.state.status !== 'running')
          return false;
        this.dispatchTask(stepIndex, task, planned);
        return true;
      case 'task-deadline':
        if (!isOpen(task)) return false;
        this.giveUp(task, {
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
    for (const task of open) this.giveUp(task, error);
    this.taskEnded(stepIndex, open[0]);
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
    if (this.state.status === 'running' && retryable && task.attempts < planned.policy.attempts) {
      task.status = 'waiting';
      const delay = backoffDelay(planned.policy, `${this.state.id}/${task.name}`, task.attempts);
      this.schedule('task-retry', task.name, task.attempts, this.now + delay);
      return;
    }
    // An attempt that may have taken effect is compensated (outcome unknown); a failed one never is.
    task.status = uncertain ? 'unknown' : 'failed';
    this.taskEnded(stepIndex, task);
  }

  /** Waiting is over for a task without an outcome: unknown if an attempt may still take effect. */
  private giveUp(task: TaskState, error: SagaError): void {
    task.status = task.status === 'running' || task.uncertain ? 'unknown' : 'failed';
    task.error = error;
  }

  /** A task ended without success: its step fails, or a compensation waiting for it may begin. */
  private taskEnded(stepIndex: number, task: TaskState): void {
    if (this.state.status === 'running') this.failStep(stepIndex, task);
    else this.compensateIfSettled(stepIndex);
  }

  private failStep(stepIndex: number, failed: TaskState): void {
    this.state.status = 'compensating';
    this.state.step = stepIndex;
    this.state.failure = {
      step: this.state.steps[stepIndex].name,
      task: failed.name,
      error: failed.error ?? { message: 'failed' },
    };
    this.announce('rollback', this.state.failure.step, failed.name);
    for (const sibling of this.state.steps[stepIndex].tasks) {
      if (sibling.status !== 'waiting') continue;
      // Backing off after an attempt that may have taken effect leaves its outcome unknown.
      sibling.status = sibling.uncertain ? 'unknown' : 'cancelled';
    }
    this.compensateIfSettled(stepIndex);
  }

  /** Compensation of the failed step waits until none of its tasks is still running. */
  private compensateIfSettled(stepIndex: number): void {
    if (this.state.status !== 'compensating' || stepIndex !== this.state.step) return;
    const tasks = this.state.steps[stepIndex].tasks;
    if (tasks.some((t) => t.compensation) || tasks.some((t) => t.status === 'running')) return;
    this.compensateFrom(stepIndex);
  }

  /** Compensates the newest step at or below `stepIndex` that has something to undo; its tasks in parallel. */
  private compensateFrom(stepIndex: number): void {
    for (let index = stepIndex; index >= 0; index--) {
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
    const step = this.state.steps[stepIndex];
    if (
      stepIndex === this.state.step &&
      step.tasks.every((t) => !t.compensation || t.compensation.status === 'succeeded')
    ) {
      this.compensateFrom(stepIndex - 1);
    }
    return true;
  }

  private onCompensationFailed(located: Located, attempt: number, error: SagaError): boolean {
    const compensation = located.task.compensation;
    if (compensation?.status !== 'running' || compensation.attempt !== attempt) return false;
    this.compensationAttemptFailed(located, error);
    return true;
  }

  private compensationAttemptFailed({ task, planned }: Located, error: SagaError): void {
    const compensation = task.compensation!;
    compensation.error = error;
    if (compensation.attempt < planned.policy.compensationAttempts) {
      compensation.status = 'waiting';
      const delay = backoffDelay(planned.policy, `${this.state.id}/${task.name}/undo`, compensation.attempt);
      this.schedule('compensation-retry', task.name, compensation.attempt, this.now + delay);
      return;
    }
    compensation.status = 'failed';
    if (this.state.status === 'stalled') return;
    this.state.status = 'stalled';
    this.commands.push({ type: 'finish', status: 'stalled', failure: this.state.failure });
  }

  private dispatchTask(stepIndex: number, task: TaskState, planned: PlannedTask): void {
    task.attempts += 1;
    task.status = 'running';
    this.commands.push({
      type: 'run-task',
      step: this.state.steps[stepIndex].name,
      task: task.name,
      attempt: task.attempts,
      input: task.input ?? null,
    });
    const deadline = planned.policy.deadlineMs;
    if (task.attempts === 1 && deadline !== undefined)
      this.schedule('task-deadline', task.name, 1, this.now + deadline);
  }

  private dispatchCompensation(stepIndex: number, task: TaskState): void {
    const outcome = task.status === 'succeeded' ? 'succeeded' : 'unknown';
    const attempt = (task.compensation?.attempt ?? 0) + 1;
    task.compensation = { ...task.compensation, status: 'running', attempt, outcome };
    this.commands.push({
      type: 'compensate-task',
      step: this.state.steps[stepIndex].name,
      task: task.name,
      attempt,
      input: task.input ?? null,
      ...(task.output !== undefined ? { output: task.output } : {}),
      outcome,
    });
  }

  private finishCompleted(): void {
    this.state.status = 'completed';
    this.state.step = this.plan.steps.length - 1;
    this.commands.push({ type: 'finish', status: 'completed', result: sagaResult(this.state) });
  }

  private finishCompensated(): void {
    this.state.status = 'compensated';
    this.state.step = this.state.steps.findIndex((s) => s.name === this.state.failure?.step);
    this.commands.push({ type: 'finish', status: 'compensated', failure: this.state.failure });
  }

  private schedule(kind: TimerKind, task: string, attempt: number, dueAt: number): void {
    this.commands.push({ type: 'schedule', timer: { kind, task, attempt, dueAt } });
  }

  private locate(name: string): Located | undefined {
    for (let stepIndex = 0; stepIndex < this.plan.steps.length; stepIndex++) {
      const i = this.plan.steps[stepIndex].tasks.findIndex((t) => t.name === name);
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
