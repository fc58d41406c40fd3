import { setTimeout as sleep } from 'node:timers/promises';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { BarrierHold, CompensationEntry, TaskBarrier, TaskEntry } from '../barrier/task.barrier';
import { TASK_TIMEOUT_ERROR } from '../engine/saga.engine';
import type { Json, SagaError } from '../engine/saga-state';
import { TaskRejectedError } from '../errors/task-rejected.error';
import { isTransientFault, TransientFaultError } from '../errors/transient-fault.error';
import type { CompensationContext, TaskContext, TaskRunContext } from '../interfaces/task-context.interface';
import type { ResolvedSagaModuleOptions } from '../interfaces/saga-module-options.interface';
import { SAGA_BARRIER } from './saga-runtime.tokens';
import { SAGA_MODULE_OPTIONS } from '../saga.module-definition';
import { SAGA_TRANSPORT } from '../saga.constants';
import type { ReplyMessage, TaskMessage, WorkerReply } from '../transport/saga-messages';
import type { SagaTransport } from '../transport/saga-transport.interface';
import { SagaRegistry, type HostedTask } from './saga.registry';
import { SagaObservers } from './saga-observers';
import { toTaskOutput } from './json';
import { sagaLog } from './saga-log';
import { SAGA_SPANS } from './saga.spans';
import { SagaTracer } from './saga.tracer';
import { settledWithin } from './settled-within';

/** An attempt's time when the command does not say (the task's default timeout). */
const DEFAULT_TIMEOUT_MS = 30_000;
/** Longest hold on a task between renewals: a worker that died lets go of its tasks within it. */
const MAX_LEASE_MS = 10_000;
/** First and longest pause between two looks at a task that another delivery holds. */
const POLL_FIRST_MS = 20;
const POLL_MAX_MS = 500;
/** How long the outcome of a handler that ran is retried against a store that is down, and the longest pause. */
const RECORD_PATIENCE_MS = 120_000;
const RECORD_PAUSE_MAX_MS = 2_000;
/** How long shutdown waits for handlers that outran their timeout. */
const SHUTDOWN_WAIT_MS = 5_000;
/** First and longest pause between two tries at undoing a late effect whose undo failed. */
const UNDO_PAUSE_FIRST_MS = 100;
const UNDO_PAUSE_MAX_MS = 30_000;
const STOPPED_BEFORE_UNDO =
  'the worker stopped before the late effect was undone; the next delivery undoes it';

type Reply = ReplyMessage | undefined;

function taskContext(message: TaskMessage): TaskContext {
  const { sagaId, traceId, flow, step, task, attempt } = message;
  return { sagaId, traceId, flow, step, task, attempt };
}

/** The error as the saga keeps it; a refusal's message is meant for callers (`rejected`), any other is not. */
function toSagaError(error: unknown): SagaError {
  if (error instanceof TaskRejectedError) {
    const { name, message, details } = error;
    return { name, message, rejected: true, ...(details && Object.keys(details).length ? { details } : {}) };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { message: String(error) };
}

/**
 * Consumes the commands of the tasks hosted here, runs their handlers behind the barrier and replies.
 *
 * Time is counted here, not by the orchestrator: an attempt's `timeoutMs` starts when its handler begins, so
 * a command that waited in a queue, for this service to come back, or for another delivery of the same task,
 * used none of it. Past it the worker answers that the outcome is unknown; the handler goes on holding the
 * task in the barrier (renewing its lease), a retry waits for it instead of running beside it, and its late
 * result is recorded and replied. Its command stays unacknowledged (and takes a place of the consumer's
 * prefetch) until the handler ended and what it left is settled: a late effect undone, a late result replied.
 */
@Injectable()
export class TaskWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TaskWorker.name);
  /** Handlers that outran their timeout and still run. */
  private readonly late = new Set<Promise<void>>();
  /** The late answer of each command whose handler outran its timeout: the command is held until it settles. */
  private readonly outran = new WeakMap<TaskMessage, Promise<void>>();
  /**
   * The barrier record of each run that succeeded, written while its reply travels: the command is held until
   * it is stored (and, if a compensation claimed the task meanwhile, until the effect is undone).
   */
  private readonly recorded = new WeakMap<TaskMessage, Promise<void>>();
  /** Aborted on shutdown: ends the pauses between tries at undoing a late effect. */
  private readonly stopping = new AbortController();
  private readonly tracer = new SagaTracer();

  constructor(
    private readonly registry: SagaRegistry,
    private readonly observers: SagaObservers,
    @Inject(SAGA_TRANSPORT) private readonly transport: SagaTransport,
    @Inject(SAGA_BARRIER) private readonly barrier: TaskBarrier,
    @Inject(SAGA_MODULE_OPTIONS) private readonly options: ResolvedSagaModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.workers) return;
    for (const hosted of this.registry.allHostedTasks()) {
      if (!hosted.run) continue;
      await this.transport.consumeTasks(hosted.flow, hosted.task, (message) => this.handle(hosted, message), {
        prefetch: this.options.prefetch,
      });
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    if (this.late.size > 0) await settledWithin([...this.late], SHUTDOWN_WAIT_MS);
  }

  /**
   * Runs (or compensates) the task and replies. Traced as `saga task <task>` / `saga compensate <task>`, a
   * child of the orchestrator's span that sent the command, active while the handler runs (the handler's own
   * spans nest under it) and the reply is sent; ERROR when the reply is a failure.
   */
  private async handle(hosted: HostedTask, message: TaskMessage): Promise<void> {
    await this.tracer.traced(
      () => SAGA_SPANS.task(message),
      () => this.answer(hosted, message),
      (reply) => (reply && reply.kind !== 'operator' && !reply.ok ? reply.error.message : undefined),
    );
  }

  /** Runs or compensates, and sends the reply; returns it (none: a late effect was undone instead). */
  private async answer(hosted: HostedTask, message: TaskMessage): Promise<Reply> {
    const timeoutMs = message.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const leaseMs = Math.min(timeoutMs, MAX_LEASE_MS);
    const reply =
      message.kind === 'run'
        ? await this.run(hosted, message, timeoutMs, leaseMs)
        : await this.compensate(hosted, message, timeoutMs, leaseMs);
    if (reply) await this.transport.sendReply(reply, message.replyTo);
    await this.recorded.get(message);
    // A handler that outran its time still holds this command: see `bounded`.
    const outran = this.outran.get(message);
    if (outran) await outran;
    return reply;
  }

  private async run(
    hosted: HostedTask,
    message: TaskMessage,
    timeoutMs: number,
    leaseMs: number,
  ): Promise<Reply> {
    for (let wait = POLL_FIRST_MS; ; wait = Math.min(wait * 2, POLL_MAX_MS)) {
      const entry = await this.barrier.enterTask(message.sagaId, message.task, leaseMs, message.attempt);
      switch (entry.kind) {
        case 'run':
          return this.bounded(
            message,
            timeoutMs,
            this.invokeTask(hosted, message, entry.hold, leaseMs),
            `the handler gave no result within ${timeoutMs} ms (attempt ${message.attempt})`,
          );
        case 'done':
          return { ...this.replyBase(message), ok: true, output: entry.output };
        case 'unusable':
          return { ...this.failure(message, entry.error, false), outcome: 'unknown' };
        case 'failed':
          return this.failure(
            message,
            { name: 'TaskAttemptFailedError', message: `attempt ${message.attempt} already failed` },
            true,
          );
        case 'undo':
          // An earlier delivery's run finished after the compensation, and its effect is not undone yet.
          await this.undoLate(hosted, message, leaseMs, entry);
          return this.compensatedBeforeRun(message);
        case 'refused':
          return this.compensatedBeforeRun(message);
        case 'busy':
          // Another delivery runs the task and renews its hold: its result is this one's too. Waiting uses
          // none of this attempt's time; a holder that died lets go within its lease.
          await sleep(wait);
      }
    }
  }

  /**
   * Gives a handler that began `timeoutMs`. Past it the answer is a timeout with outcome unknown, the handler
   * goes on holding the task (a retry waits for it), and whatever it ends with is replied then. The command
   * stays unacknowledged until then (`answer` waits for the late end), so that a worker that dies meanwhile
   * hands it back to the broker: the next delivery finds what the handler left in the barrier (an effect to
   * undo, an output to reply) instead of nothing at all.
   */
  private async bounded(
    message: TaskMessage,
    timeoutMs: number,
    working: Promise<Reply>,
    timeoutText: string,
  ): Promise<Reply> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'expired')));
    const first = await Promise.race([working, expired]).finally(() => clearTimeout(timer));
    if (first !== 'expired') return first;
    this.outran.set(message, this.replyLater(message, working));
    this.log(message, `${timeoutText}; answered with outcome unknown, the handler goes on`, 'warn');
    return {
      ...this.failure(message, { name: TASK_TIMEOUT_ERROR, message: timeoutText }, true),
      ...(message.kind === 'run' ? { outcome: 'unknown' as const } : {}),
    };
  }

  /**
   * Sends the late answer once the handler ends. Rejects if it cannot (the store or the broker gave out, or
   * the process stopped before a late effect was undone): the command, still held, is then delivered again.
   */
  private replyLater(message: TaskMessage, working: Promise<Reply>): Promise<void> {
    const late = working
      .then(async (reply) => {
        if (reply) await this.transport.sendReply(reply, message.replyTo);
        await this.recorded.get(message);
      })
      .catch((error: unknown) => {
        this.log(message, `late answer not sent, the command is not acknowledged: ${String(error)}`, 'warn');
        throw error;
      });
    this.late.add(late);
    void late.catch(() => undefined).finally(() => this.late.delete(late));
    return late;
  }

  private async invokeTask(
    hosted: HostedTask,
    message: TaskMessage,
    hold: BarrierHold,
    leaseMs: number,
  ): Promise<Reply> {
    const context: TaskRunContext = {
      ...taskContext(message),
      recordDoneWithin: (store, output) => this.barrier.taskDoneWithin(hold, store, toTaskOutput(output)),
    };
    let value: unknown;
    try {
      const run = () => hosted.run!.invoke(message.input, context);
      value = await this.holding(hold, leaseMs, () => this.observers.attempt(message, run));
    } catch (error) {
      await this.recording(() => this.barrier.taskAbandoned(hold));
      const rejected = error instanceof TaskRejectedError;
      const text = `${rejected ? 'rejected' : 'failed'}: ${toSagaError(error).message}`;
      this.log(message, text, rejected ? 'log' : 'warn');
      return this.failure(message, toSagaError(error), !rejected);
    }
    let output: Json;
    try {
      output = toTaskOutput(value);
    } catch (error) {
      // The effect took place but its result cannot travel: never run again, compensate (outcome unknown).
      const unusable = toSagaError(error);
      this.log(message, `${unusable.message}; the task ends with outcome unknown`, 'error');
      if (await this.recording(() => this.barrier.taskUnusable(hold, unusable)))
        return { ...this.failure(message, unusable, false), outcome: 'unknown' };
      await this.undoLate(hosted, message, leaseMs);
      return undefined;
    }
    this.recordDone(hosted, message, hold, output, leaseMs);
    return { ...this.replyBase(message), ok: true, output };
  }

  /**
   * Records a run's output in the barrier while its reply is sent, instead of before: the command is
   * acknowledged only once the record is stored ({@link answer} waits for it), so a worker that dies first
   * hands the command back, as it would have before the reply. Replying first is safe because the barrier
   * refuses the record only when a compensation claimed the task, which the orchestrator sends once it took
   * the task as compensating, and a success after that changes nothing there; the effect is then undone here
   * ({@link undoLate}), as it would have been had the reply waited.
   */
  private recordDone(
    hosted: HostedTask,
    message: TaskMessage,
    hold: BarrierHold,
    output: Json,
    leaseMs: number,
  ): void {
    const recorded = this.recording(() => this.barrier.taskDone(hold, output)).then(async (kept) => {
      if (!kept) await this.undoLate(hosted, message, leaseMs);
    });
    // Awaited by whoever sends the reply; handled here too, so that a failure before then is not unhandled.
    recorded.catch(() => undefined);
    this.recorded.set(message, recorded);
  }

  /**
   * A run finished after a compensation claimed its task: the barrier keeps its effect as late, and it is
   * undone here, where it was taken, once the compensation that claimed the task lets go of it. A failed undo
   * is tried again, with a growing pause, until it succeeds or this process stops; its effect stays recorded
   * as late meanwhile, so that the next delivery of the task's run or compensation undoes it (see
   * docs/COMPENSATIONS.md). Stopping first throws a {@link TransientFaultError}, so that a command still held
   * goes back to its queue. `first`: the barrier already handed this delivery the undo.
   */
  private async undoLate(
    hosted: HostedTask,
    message: TaskMessage,
    leaseMs: number,
    first?: Extract<TaskEntry, { kind: 'undo' }>,
  ): Promise<void> {
    if (!hosted.compensate) {
      this.log(message, 'finished after its compensation and has no @Compensate: undo it by hand', 'error');
      return;
    }
    let pause = UNDO_PAUSE_FIRST_MS;
    for (let entry = first, tries = 1; ; tries++, entry = undefined) {
      entry ??= await this.lateEntry(message, leaseMs);
      if (!entry) return; // another delivery undid it
      const reply = await this.invokeCompensation(hosted, message, { ...entry, kind: 'compensate' }, leaseMs);
      if (reply.ok) {
        this.log(message, 'finished after its compensation began; its effect was undone', 'warn');
        return;
      }
      const text = `finished after its compensation, and undoing it failed (try ${tries}): ${reply.error.message}`;
      this.log(
        message,
        `${text}; ${reply.retryable ? `trying again in ${pause} ms` : 'undo it by hand'}`,
        'error',
      );
      if (!reply.retryable) return;
      if (!(await this.pause(pause))) throw new TransientFaultError(STOPPED_BEFORE_UNDO);
      pause = Math.min(pause * 2, UNDO_PAUSE_MAX_MS);
    }
  }

  /** The late effect's undo, once the compensation that holds the task lets go; none if it is undone. */
  private async lateEntry(
    message: TaskMessage,
    leaseMs: number,
  ): Promise<Extract<TaskEntry, { kind: 'undo' }> | undefined> {
    for (let wait = POLL_FIRST_MS; ; wait = Math.min(wait * 2, POLL_MAX_MS)) {
      const entry = await this.recording(() => this.barrier.enterTask(message.sagaId, message.task, leaseMs));
      if (entry.kind === 'undo') return entry;
      if (entry.kind !== 'busy') return undefined;
      if (!(await this.pause(wait))) throw new TransientFaultError(STOPPED_BEFORE_UNDO);
    }
  }

  /** Waits `ms`; false if the process began stopping meanwhile. */
  private async pause(ms: number): Promise<boolean> {
    if (this.stopping.signal.aborted) return false;
    await sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    return !this.stopping.signal.aborted;
  }

  private async compensate(
    hosted: HostedTask,
    message: TaskMessage,
    timeoutMs: number,
    leaseMs: number,
  ): Promise<Reply> {
    // A run that still holds the task gets half of this attempt's time; then it is presumed hung.
    const claimAt = Date.now() + timeoutMs / 2;
    for (let wait = POLL_FIRST_MS; ; wait = Math.min(wait * 2, POLL_MAX_MS)) {
      const force = Date.now() >= claimAt;
      const entry = await this.barrier.enterCompensation(message.sagaId, message.task, leaseMs, force);
      switch (entry.kind) {
        case 'skip':
          return { ...this.replyBase(message), ok: true };
        case 'busy':
          await sleep(wait);
          break;
        case 'compensate':
          return this.bounded(
            message,
            timeoutMs,
            this.invokeCompensation(hosted, message, entry, leaseMs),
            `the compensation gave no result within ${timeoutMs} ms (attempt ${message.attempt})`,
          );
      }
    }
  }

  private async invokeCompensation(
    hosted: HostedTask,
    message: TaskMessage,
    entry: Extract<CompensationEntry, { kind: 'compensate' }>,
    leaseMs: number,
  ): Promise<WorkerReply> {
    const context: CompensationContext = {
      ...taskContext(message),
      input: message.input,
      output: message.output ?? entry.output,
      outcome: entry.outcome,
      recordUndoneWithin: (store) => this.barrier.compensationDoneWithin(entry.hold, store),
    };
    try {
      const undo = () => hosted.compensate!.invoke(context);
      // Of kind compensate even when it undoes a late effect (`message` is then the run's).
      await this.holding(entry.hold, leaseMs, () =>
        this.observers.attempt({ ...message, kind: 'compensate' }, undo),
      );
    } catch (error) {
      await this.recording(() => this.barrier.compensationAbandoned(entry.hold));
      // A refusal cannot be retried away: the orchestrator stalls the saga at once for an operator.
      const refused = error instanceof TaskRejectedError;
      this.log(
        message,
        `compensation ${refused ? 'refused' : 'failed'}: ${toSagaError(error).message}`,
        'warn',
      );
      return this.failure(message, toSagaError(error), !refused);
    }
    await this.recording(() => this.barrier.compensationDone(entry.hold));
    return { ...this.replyBase(message), ok: true };
  }

  /**
   * Records how a handler ended, waiting out a store outage (the effect is taken: redelivering the command
   * would run it again once the hold lapses). Gives up, and lets the message be redelivered, after
   * `RECORD_PATIENCE_MS`.
   */
  private async recording<T>(write: () => Promise<T>): Promise<T> {
    const giveUpAt = Date.now() + RECORD_PATIENCE_MS;
    for (let wait = POLL_FIRST_MS * 5; ; wait = Math.min(wait * 2, RECORD_PAUSE_MAX_MS)) {
      try {
        return await write();
      } catch (error) {
        if (!isTransientFault(error) || Date.now() + wait > giveUpAt) throw error;
        await sleep(wait);
      }
    }
  }

  /** Runs `work` while renewing `hold`, so that nobody takes the task over from a live handler. */
  private async holding<T>(hold: BarrierHold, leaseMs: number, work: () => Promise<T>): Promise<T> {
    const renewal = setInterval(() => {
      this.barrier.renew(hold, leaseMs).catch((error: unknown) => {
        this.logger.warn(`lease of ${hold.task} not renewed: ${String(error)} sagaId=${hold.sagaId}`);
      });
    }, leaseMs / 3);
    try {
      return await work();
    } finally {
      clearInterval(renewal);
    }
  }

  private compensatedBeforeRun(message: TaskMessage): Reply {
    const error = { name: 'TaskCompensatedError', message: 'the task was compensated before it ran' };
    return this.failure(message, error, false);
  }

  private failure(message: TaskMessage, error: SagaError, retryable: boolean) {
    return { ...this.replyBase(message), ok: false, retryable, error } as const;
  }

  private replyBase(message: TaskMessage) {
    return {
      v: message.v,
      sagaId: message.sagaId,
      flow: message.flow,
      traceId: message.traceId,
      kind: message.kind,
      task: message.task,
      attempt: message.attempt,
    } as const;
  }

  private log(message: TaskMessage, text: string, level: 'log' | 'warn' | 'error'): void {
    this.logger[level](
      sagaLog(`${message.flow}/${message.task} attempt ${message.attempt} ${text}`, message),
    );
  }
}
