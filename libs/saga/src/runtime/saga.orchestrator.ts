import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Context, context } from '@opentelemetry/api';
import type { SagaCommand } from '../engine/saga-command';
import type { SagaEvent } from '../engine/saga-event';
import type { SagaPlan } from '../engine/saga-plan';
import {
  applySagaEvents,
  compensatedTasks,
  type SagaTransition,
  sagaResult,
  startSaga,
} from '../engine/saga.engine';
import { isSettled, isTerminal, type SagaState } from '../engine/saga-state';
import type { ResolvedSagaModuleOptions } from '../interfaces/saga-module-options.interface';
import { SAGA_STORE, SAGA_TRANSPORT } from '../saga.constants';
import { SAGA_MODULE_OPTIONS } from '../saga.module-definition';
import { SAGA_MESSAGES } from '../saga.messages';
import type { DueTimer, SagaStore } from '../store/saga-store.interface';
import {
  InvalidMessageError,
  type LifecycleEvent,
  type OperatorMessage,
  type ReplyMessage,
  type ResultMessage,
  type StartMessage,
  WIRE_VERSION,
  type WorkerReply,
} from '../transport/saga-messages';
import type { SagaTransport } from '../transport/saga-transport.interface';
import { isTracing } from '../transport/trace-context';
import { SagaRegistry } from './saga.registry';
import { sagaLog } from './saga-log';
import { SagaResultWaiters } from './saga-result.waiters';
import { SagaClock } from './saga.clock';
import { SagaStateCache } from './saga-state.cache';
import { callerFailure } from './caller-view';
import { PublishedOutboxes } from './published-outboxes';
import { SagaEventBatches } from './saga-event-batches';
import { SagaObservers } from './saga-observers';
import { SAGA_SPANS } from './saga.spans';
import { SagaTracer } from './saga.tracer';
import { settledWithin } from './settled-within';

/** What applying one event came to: whether this replica orchestrates the flow, and the saga after it. */
interface Applied {
  handled: boolean;
  state?: SagaState;
  transition?: SagaTransition;
  /** Settles once the stored transition's commands are published. */
  published?: Promise<void>;
}

const HANDLED: Applied = { handled: true };

/** How often a held throttled start checks its saga when no result arrived. */
const THROTTLE_RECHECK_MS = 60_000;
/**
 * Transitions whose commands may be publishing at once while the replies that caused them are acknowledged
 * already; past it a reply waits for its own, so that a broker slow to confirm slows the replies down.
 */
const UNCONFIRMED_MAX = 256;
/** How long shutdown waits for commands still publishing (the outbox sweep publishes what it cuts short). */
const SHUTDOWN_PUBLISH_WAIT_MS = 5_000;

/**
 * The aggregators of the flows this application orchestrates: events in, engine, compare-and-set into the
 * store, commands out. Holds no saga in memory: any replica can take any message.
 */
@Injectable()
export class SagaOrchestrator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SagaOrchestrator.name);
  private readonly cache = new SagaStateCache();
  /** The events of each saga, applied a batch at a time (see `apply`). */
  private readonly batches = new SagaEventBatches<SagaEvent, Applied>(
    (sagaId, events) => this.decideInSenderContext(sagaId, events),
    (event) => event.type === 'operator',
  );
  private readonly tracer = new SagaTracer();
  /** With tracing on: the context each event arrived in (its message's span), for the batch it goes in. */
  private readonly senders = new WeakMap<SagaEvent, Context>();
  private readonly timeouts = new WeakMap<SagaPlan, Map<string, number>>();
  private readonly published: PublishedOutboxes;
  /** Committed transitions whose commands are being published. */
  private readonly publishing = new Set<Promise<void>>();

  constructor(
    private readonly registry: SagaRegistry,
    private readonly results: SagaResultWaiters,
    private readonly clock: SagaClock,
    private readonly observers: SagaObservers,
    @Inject(SAGA_STORE) private readonly store: SagaStore,
    @Inject(SAGA_TRANSPORT) private readonly transport: SagaTransport,
    @Inject(SAGA_MODULE_OPTIONS) private readonly options: ResolvedSagaModuleOptions,
  ) {
    this.published = new PublishedOutboxes(store, (sagaId, version, error) =>
      this.logger.warn(`outbox of version ${version} not cleared: ${String(error)} sagaId=${sagaId}`),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.publishing.size > 0) await settledWithin([...this.publishing], SHUTDOWN_PUBLISH_WAIT_MS);
    await this.published.stop();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.published.start();
    for (const plan of this.registry.allPlans()) {
      const prefetch = { prefetch: this.options.prefetch };
      // The replies to this replica's commands come back to it (see `publish`), beside the shared queue.
      await this.transport.consumeReplies(plan.flow, (reply) => this.onReply(reply), {
        ...prefetch,
        replica: this.results.address,
      });
      await this.transport.consumeStarts(plan.flow, (start) => this.onStart(start), prefetch);
      await this.transport.consumeThrottledStarts(plan.flow, (start) => this.onThrottledStart(start), {
        prefetch: this.options.maxConcurrent,
      });
    }
  }

  /**
   * Creates the saga (idempotent on its id) and dispatches its first step; a repeated start subscribes. Traced
   * as `saga start <flow>`, a child of the caller's span.
   */
  onStart(message: StartMessage): Promise<void> {
    return this.tracer.traced(
      () => SAGA_SPANS.start(message),
      () => this.start(message),
    );
  }

  private async start(message: StartMessage): Promise<void> {
    const state = await this.admit(message, message.replyTo ? [message.replyTo] : []);
    if (message.ack && message.replyTo && !isSettled(state.status)) {
      await this.transport.sendResult(message.replyTo, {
        ...this.envelope(state),
        kind: 'accepted',
        status: state.status,
      });
    }
  }

  /**
   * A throttled start is held (unacknowledged) until its saga is terminal, so the consumer's prefetch bounds
   * how many run here at once. If this replica dies, the broker hands the start to another one, which finds
   * the saga stored and holds it in turn.
   */
  async onThrottledStart(message: StartMessage): Promise<void> {
    const self = this.results.address;
    let finished = this.results.wait(message.sagaId, 'finished', THROTTLE_RECHECK_MS);
    const replyTo = message.replyTo ? [message.replyTo, self] : [self];
    // Traced while it is admitted only: the start is then held until the saga ends.
    await this.tracer.traced(
      () => SAGA_SPANS.start(message),
      () => this.admit(message, replyTo),
    );
    while (!(await finished.promise)) {
      // No result within the recheck period: a lost message must not hold the slot forever.
      const state = await this.store.load(message.sagaId);
      if (!state || isSettled(state.status)) return;
      finished = this.results.wait(message.sagaId, 'finished', THROTTLE_RECHECK_MS);
    }
  }

  private async admit(message: StartMessage, replyTo: string[]): Promise<SagaState> {
    const plan = this.planOf(message.flow);
    const started = startSaga(plan, {
      id: message.sagaId,
      traceId: message.traceId,
      input: message.input,
      replyTo,
      callbackUrl: message.callbackUrl,
      now: this.clock.now(),
    });
    const { created, state } = await this.store.create(started.state, started.commands);
    if (created) {
      this.remember(state);
      this.observers.started(state);
      this.logger.log(sagaLog(`saga ${state.flow} started`, state));
      await this.execute(plan, state, started.commands);
      return state;
    }
    for (const address of replyTo) await this.subscribe(state, address);
    return state;
  }

  /**
   * Makes sure `address` gets the terminal result: adds it to a running saga (a repeated start, maybe from
   * another caller; compare-and-set like any write), or sends the result at once if the saga is terminal.
   */
  private async subscribe(current: SagaState, address: string): Promise<void> {
    let state: SagaState | undefined = current;
    while (state && !isSettled(state.status)) {
      if (state.replyTo?.includes(address)) return;
      const next = { ...state, replyTo: [...(state.replyTo ?? []), address], version: state.version + 1 };
      if (await this.store.commit(next, state.version, [], { previous: state })) return;
      state = await this.store.load(state.id);
    }
    if (state) await this.transport.sendResult(address, this.resultOf(state));
  }

  /** Applies a worker's reply (traced as `saga reply <flow> <task>`) or an operator's action. */
  onReply(reply: ReplyMessage): Promise<void> {
    return reply.kind === 'operator'
      ? this.tracer.traced(
          () => SAGA_SPANS.operator(reply),
          () => this.onOperator(reply),
        )
      : this.tracer.traced(
          () => SAGA_SPANS.reply(reply),
          () => this.onWorkerReply(reply),
        );
  }

  private async onWorkerReply(reply: WorkerReply): Promise<void> {
    const now = this.clock.now();
    const { task, attempt } = reply;
    let event: SagaEvent;
    if (reply.kind === 'run') {
      event = reply.ok
        ? { type: 'task-succeeded', task, attempt, output: reply.output ?? null, now }
        : {
            type: 'task-failed',
            task,
            attempt,
            error: reply.error,
            retryable: reply.retryable,
            ...(reply.outcome ? { outcome: reply.outcome } : {}),
            now,
          };
    } else {
      event = reply.ok
        ? { type: 'compensation-succeeded', task, attempt, now }
        : {
            type: 'compensation-failed',
            task,
            attempt,
            error: reply.error,
            retryable: reply.retryable,
            now,
          };
    }
    await this.apply(reply.sagaId, event, 'on-commit');
  }

  /**
   * Applies an operator's action like any event of the saga and answers the operator's instance: applied, or
   * refused with the reason. A repeated delivery of one action is applied once (the engine knows its id).
   */
  private async onOperator(message: OperatorMessage): Promise<void> {
    const event = {
      type: 'operator',
      action: message.action,
      id: message.actionId,
      now: this.clock.now(),
    } as const;
    const { state, transition } = await this.apply(message.sagaId, event);
    const refused = !state
      ? { code: 'not-found' as const, message: SAGA_MESSAGES.UNKNOWN_SAGA(message.sagaId) }
      : transition?.refused;
    if (state && !refused) {
      this.logger.log(
        sagaLog(`${message.action.type} by ${message.action.by}: ${message.action.reason}`, state),
      );
    }
    await this.transport.sendResult(message.replyTo, {
      ...this.envelope(state ?? { id: message.sagaId, flow: message.flow, traceId: message.traceId }),
      kind: 'acted',
      actionId: message.actionId,
      status: state?.status ?? 'running',
      ...(refused ? { refused } : {}),
    });
  }

  /** Feeds a due timer (traced as `saga timer <flow>`); returns false if this replica does not orchestrate its flow. */
  async onTimer(due: DueTimer): Promise<boolean> {
    if (!isTracing()) return this.fire(due);
    // The span needs the saga's trace id before it starts: a read the untraced path does not make.
    const saga = this.cache.get(due.sagaId) ?? (await this.store.load(due.sagaId));
    if (!saga) return this.fire(due);
    return this.tracer.inSpan(SAGA_SPANS.timer(saga, due), () => this.fire(due));
  }

  private async fire(due: DueTimer): Promise<boolean> {
    const { handled } = await this.apply(due.sagaId, {
      type: 'timer',
      timer: due.timer,
      now: this.clock.now(),
    });
    return handled;
  }

  /** Publishes commands that a crashed replica stored but did not publish. */
  async republish(sagaId: string, version: number, commands: SagaCommand[]): Promise<void> {
    const state = await this.store.load(sagaId);
    const plan = state && this.registry.plan(state.flow);
    if (!state || !plan) return;
    this.logger.warn(sagaLog(`republishing ${commands.length} command(s) of version ${version}`, state));
    await this.tracer.traced(
      () => SAGA_SPANS.republish(state),
      () => this.publish(plan, state, commands),
    );
    await this.store.clearOutbox(sagaId, version);
  }

  /**
   * Applies events of one saga one batch at a time within this replica: the replies of a parallel step would
   * otherwise race for the same version and all but one would read and decide again; those that arrive while
   * a batch is under way are decided together, with one commit. The next batch waits
   * for the commit only, not for the broker to confirm the commands: those are in the outbox already, and
   * waiting for the confirms put one broker round trip per step on every saga's path. Resolves once the
   * commands are published (the message under way is acknowledged after that), or with `on-commit` (a
   * worker's reply) once they are committed: the outbox sweep publishes again whatever the broker does not
   * confirm, so holding the reply for the confirms only cost a lone acknowledgement per step and about 6 % of
   * the CPU per saga. Starts keep waiting, so that a broker slow to confirm holds new sagas back; and past
   * `UNCONFIRMED_MAX` transitions publishing, replies wait too.
   */
  private async apply(sagaId: string, event: SagaEvent, acknowledge?: 'on-commit'): Promise<Applied> {
    if (isTracing()) this.senders.set(event, context.active());
    const applied = await this.batches.add(sagaId, event);
    if (acknowledge !== 'on-commit' || this.publishing.size > UNCONFIRMED_MAX) await applied.published;
    return applied;
  }

  /**
   * Decides a batch inside the context its first event arrived in: the commands it publishes carry that
   * message's span (a batch started by an earlier message would otherwise run in that one's context).
   */
  private decideInSenderContext(sagaId: string, events: SagaEvent[]): Promise<Applied> {
    const sender = this.senders.get(events[0]);
    return sender ? context.with(sender, () => this.decide(sagaId, events)) : this.decide(sagaId, events);
  }

  /**
   * Loads (or takes from the cache), decides and commits a batch of one saga's events (see
   * {@link SagaEventBatches}); starts publishing what it decided.
   */
  private async decide(sagaId: string, events: SagaEvent[]): Promise<Applied> {
    let cached = this.cache.get(sagaId);
    for (;;) {
      const state = cached ?? (await this.store.load(sagaId));
      if (!state) {
        const types = events.map((event) => event.type).join(', ');
        this.logger.warn(`${types} for unknown or expired saga dropped sagaId=${sagaId}`);
        return HANDLED;
      }
      const plan = this.registry.plan(state.flow);
      if (!plan) return { handled: false };
      const transition = applySagaEvents(plan, state, events);
      if (transition.changed && (await this.commit(transition, state))) {
        this.remember(transition.state);
        const published = this.afterCommit(plan, state, transition.state, transition.commands);
        this.track(published, transition.state);
        return { handled: true, state: transition.state, transition, published };
      }
      // A guess from the cache is checked against the store; a fresh read that changes nothing is final.
      if (!transition.changed && !cached) return { handled: true, state, transition };
      // Another replica moved the saga on first: read it again and re-decide.
      this.cache.delete(sagaId);
      cached = undefined;
    }
  }

  /**
   * Keeps `published` until it settles (shutdown waits for it) and logs a failure: nobody may be waiting for
   * it (see `apply`), and the commands then go out with the outbox sweep.
   */
  private track(published: Promise<void>, state: SagaState): void {
    this.publishing.add(published);
    published
      .catch((error: unknown) => {
        const text = `commands of version ${state.version} not confirmed: ${String(error)}; the outbox sweep publishes them again`;
        this.logger.warn(sagaLog(text, state));
      })
      .finally(() => this.publishing.delete(published));
  }

  /**
   * Compare-and-set of a transition from `previous`, dropping the outboxes this replica published since the
   * saga's last write. The store is given `previous` to write only what changed.
   */
  private async commit(transition: SagaTransition, previous: SagaState): Promise<boolean> {
    const { state, commands } = transition;
    const published = this.published.take(state.id);
    try {
      return await this.store.commit(state, previous.version, commands, { published, previous });
    } catch (error) {
      this.published.restore(state.id, published);
      throw error;
    }
  }

  private remember(state: SagaState): void {
    if (isTerminal(state.status)) this.cache.delete(state.id);
    else this.cache.set(state);
  }

  /** Publishes the commands of a stored transition (lifecycle events among them). */
  private async afterCommit(
    plan: SagaPlan,
    before: SagaState,
    after: SagaState,
    commands: SagaCommand[],
  ): Promise<void> {
    this.observers.transitioned(before, after);
    if (isTracing()) this.tracer.transitioned(before, after);
    if (after.status === 'compensating' && before.status === 'running') {
      const { step, task, error } = after.failure ?? {};
      this.logger.warn(sagaLog(`step ${step} failed at ${task}: ${error?.message}; compensating`, after));
    }
    await this.execute(plan, after, commands);
  }

  private async execute(plan: SagaPlan, state: SagaState, commands: SagaCommand[]): Promise<void> {
    if (!commands.some((c) => c.type !== 'schedule')) return;
    await this.publish(plan, state, commands);
    // Dropped with the saga's next commit, or within two seconds: an outbox left behind is only published
    // again (consumers deduplicate).
    this.published.add(state.id, state.version);
  }

  /** Task timeouts of a plan by task name, computed once per plan (workers bound each attempt's run by it). */
  private timeoutsOf(plan: SagaPlan): Map<string, number> {
    let timeouts = this.timeouts.get(plan);
    if (!timeouts) {
      timeouts = new Map(
        plan.steps.flatMap((s) => s.tasks.map((t) => [t.name, t.policy.timeoutMs] as const)),
      );
      this.timeouts.set(plan, timeouts);
    }
    return timeouts;
  }

  private async publish(plan: SagaPlan, state: SagaState, commands: SagaCommand[]): Promise<void> {
    const timeouts = this.timeoutsOf(plan);
    await Promise.all(
      commands.map(async (command) => {
        switch (command.type) {
          case 'run-task':
          case 'compensate-task':
            return this.transport.sendTask({
              ...this.envelope(state),
              kind: command.type === 'run-task' ? 'run' : 'compensate',
              step: command.step,
              task: command.task,
              attempt: command.attempt,
              input: command.input,
              timeoutMs: timeouts.get(command.task),
              // The reply comes back here while this replica lives: the next event finds the saga cached.
              replyTo: this.results.address,
              ...(command.type === 'compensate-task'
                ? {
                    outcome: command.outcome,
                    ...(command.output !== undefined ? { output: command.output } : {}),
                  }
                : {}),
            });
          case 'announce':
            return this.publishEvent(state, command.event, command.step, command.task);
          case 'finish':
            return this.finish(plan, state);
          case 'schedule':
            return;
        }
      }),
    );
  }

  private async finish(plan: SagaPlan, state: SagaState): Promise<void> {
    this.logger.log(sagaLog(`saga ${state.flow} ${state.status}`, state));
    // The event first: whoever learns of the end from the result (a throttled holder taking its next start)
    // acts after the event is in every subscriber's queue.
    const terminal = state.status as LifecycleEvent['type'];
    const failure = failureOf(state);
    if (plan.events?.includes(terminal))
      await this.publishEvent(state, terminal, failure?.step, failure?.task);
    const result = this.resultOf(state);
    const callback = state.callbackUrl && { ...this.envelope(state), url: state.callbackUrl, result };
    await Promise.all([
      ...(state.replyTo ?? []).map((address) => this.transport.sendResult(address, result)),
      ...(callback ? [this.transport.sendCallback(callback)] : []),
    ]);
  }

  private resultOf(state: SagaState): ResultMessage {
    const failure = failureOf(state);
    return {
      ...this.envelope(state),
      kind: 'finished',
      status: state.status,
      ...(state.status === 'completed' ? { result: state.result ?? sagaResult(state) } : {}),
      // Results go to callers (and their callback URLs): an internal error's text stays in the state.
      ...(failure ? { failure: callerFailure(failure), compensated: compensatedTasks(state) } : {}),
    };
  }

  private envelope(state: Pick<SagaState, 'id' | 'flow' | 'traceId'>) {
    return { v: WIRE_VERSION, sagaId: state.id, flow: state.flow, traceId: state.traceId } as const;
  }

  private async publishEvent(
    state: SagaState,
    type: LifecycleEvent['type'],
    step?: string,
    task?: string,
  ): Promise<void> {
    await this.transport.publishEvent({
      ...this.envelope(state),
      type,
      instance: this.results.address,
      at: this.clock.now(),
      ...(step ? { step } : {}),
      ...(task ? { task } : {}),
    });
  }

  private planOf(flow: string): SagaPlan {
    const plan = this.registry.plan(flow);
    if (!plan) throw new InvalidMessageError(`no orchestrated flow named '${flow}'`);
    return plan;
  }
}

/** Why the saga failed: the step that failed, or where it stalled going forward. */
function failureOf(state: SagaState): SagaState['failure'] {
  if (state.failure) return state.failure;
  const stall = state.stall;
  return stall && { step: stall.step, task: stall.task, error: stall.error };
}
