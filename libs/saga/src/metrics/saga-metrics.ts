import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { isTerminal, SAGA_STATUSES, type SagaStatus } from '../engine/saga-state';
import type {
  ObservedTaskAttempt,
  SagaEndStatus,
  SagaObserver,
  StepEndStatus,
  TaskAttemptOutcome,
} from '../runtime/saga-observers';
import { SagaObservers } from '../runtime/saga-observers';
import { SagaRegistry } from '../runtime/saga.registry';
import { sharedCall, within } from '../runtime/bounded-call';
import { SAGA_STORE, SAGA_TRANSPORT } from '../saga.constants';
import type { SagaStore } from '../store/saga-store.interface';
import type { QueueDepths, SagaTransport } from '../transport/saga-transport.interface';
import { SAGA_METRICS_OPTIONS } from './saga-metrics.module-definition';
import type { ResolvedSagaMetricsOptions } from './saga-metrics.options';

/**
 * Upper bounds of the duration histograms, in seconds: from 5 ms (a task answering from memory) to an hour (a
 * saga waiting out retries, backoffs and an operator).
 */
export const SAGA_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
];

/** The statuses `dta_sagas` reports: those a saga can still leave. */
const OPEN_STATUSES: readonly SagaStatus[] = SAGA_STATUSES.filter((status) => !isTerminal(status));

/** How long a scrape waits for the store's counts (the broker's depths) before it leaves that gauge out. */
const COUNT_TIMEOUT_MS = 2_000;

/**
 * DTA's Prometheus metrics, fed by the runtime through {@link SagaObservers} (counted once per fact, on the
 * replica whose write made it), plus `dta_sagas`, read from the store at each scrape. The names, their labels
 * and what they mean are listed in docs/METRICS.md. Provided by `SagaMetricsModule`.
 */
@Injectable()
export class SagaMetrics implements SagaObserver, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SagaMetrics.name);
  /** The registry the metrics are in, which `GET /metrics` answers from. */
  readonly registry: Registry;
  private readonly started: Counter<'flow'>;
  private readonly completed: Counter<'flow'>;
  private readonly compensated: Counter<'flow'>;
  private readonly stalled: Counter<'flow' | 'step'>;
  private readonly callbackFailures: Counter<'flow'>;
  private readonly sagaDuration: Histogram<'flow' | 'status'>;
  private readonly stepDuration: Histogram<'flow' | 'step' | 'status'>;
  private readonly taskDuration: Histogram<'flow' | 'task' | 'kind' | 'outcome'>;
  private readonly sagas: Gauge<'flow' | 'status'>;
  private readonly queueMessages: Gauge<'queue'>;
  private readonly deadLetters: Gauge<'queue'>;
  private readonly outboxAge: Gauge;
  /** The broker's depths for this scrape: both gauges wait for one reading. */
  private readonly readDepths = sharedCall(() => this.depthsOfFlows());
  /** The names registered, with the prefix. */
  private readonly names: string[] = [];
  private readonly sagasName: string;

  constructor(
    @Inject(SAGA_METRICS_OPTIONS) options: ResolvedSagaMetricsOptions,
    private readonly observers: SagaObservers,
    private readonly plans: SagaRegistry,
    @Inject(SAGA_STORE) private readonly store: SagaStore,
    @Inject(SAGA_TRANSPORT) private readonly transport: SagaTransport,
  ) {
    const { prefix, registry } = options;
    this.registry = registry;
    const registers = [registry];
    const buckets = [...SAGA_DURATION_BUCKETS];
    const name = (suffix: string) => {
      this.names.push(`${prefix}${suffix}`);
      return `${prefix}${suffix}`;
    };
    const counter = (suffix: string, help: string, labelNames: string[]) =>
      new Counter({ name: name(suffix), help, labelNames, registers });
    this.started = counter('saga_started_total', 'Sagas created.', ['flow']);
    this.completed = counter('saga_completed_total', 'Sagas that completed.', ['flow']);
    this.compensated = counter('saga_compensated_total', 'Sagas that failed and were compensated.', ['flow']);
    this.stalled = counter('saga_stalled_total', 'Times a saga stopped at a step for an operator.', [
      'flow',
      'step',
    ]);
    this.callbackFailures = counter(
      'callback_failures_total',
      'Callbacks given up (dead-lettered) after their last attempt.',
      ['flow'],
    );
    const histogram = (suffix: string, help: string, labelNames: string[]) =>
      new Histogram({ name: name(suffix), help, labelNames, buckets, registers });
    this.sagaDuration = histogram('saga_duration_seconds', 'Time from the creation of a saga to its end.', [
      'flow',
      'status',
    ]);
    this.stepDuration = histogram(
      'step_duration_seconds',
      "Time from the start of a step to its aggregator's verdict.",
      ['flow', 'step', 'status'],
    );
    this.taskDuration = histogram(
      'task_duration_seconds',
      'Time a task or compensation handler ran in this process, by how it ended.',
      ['flow', 'task', 'kind', 'outcome'],
    );
    /** A gauge read at each scrape: `collect` sets it from the store or the broker. */
    const gauge = (suffix: string, help: string, labelNames: string[], collect: () => Promise<void>) =>
      new Gauge({ name: name(suffix), help, labelNames, registers, collect });
    this.sagasName = `${prefix}sagas`;
    this.sagas = gauge(
      'sagas',
      'Sagas of the flows this app orchestrates in each status they can still leave, read from the store.',
      ['flow', 'status'],
      () => this.countSagas(),
    );
    this.queueMessages = gauge(
      'queue_messages',
      "Messages ready on each queue of the flows this app orchestrates (starts, replies, each task's).",
      ['queue'],
      () => this.countQueues(),
    );
    this.deadLetters = gauge(
      'dead_letter_messages',
      'Messages in the dead-letter queue (by its name), each with the reason it was set aside.',
      ['queue'],
      () => this.countDeadLetters(),
    );
    this.outboxAge = gauge(
      'outbox_oldest_age_seconds',
      'Age of the oldest outbox still unpublished (0: none); NaN when the store did not answer.',
      [],
      () => this.ageOutboxes(),
    );
    if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  }

  /** Starts listening, with every counter of the orchestrated flows at 0 so that `rate()` sees the first one. */
  onModuleInit(): void {
    for (const { flow } of this.plans.allPlans()) {
      for (const counter of [this.started, this.completed, this.compensated, this.callbackFailures]) {
        counter.inc({ flow }, 0);
      }
    }
    this.observers.add(this);
  }

  /** Takes DTA's metrics out of the registry, so that a shared one can serve the next module. */
  onModuleDestroy(): void {
    for (const name of this.names) this.registry.removeSingleMetric(name);
  }

  /** The registry's metrics in the text format, and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  sagaStarted(flow: string): void {
    this.started.inc({ flow });
  }

  sagaEnded(flow: string, status: SagaEndStatus, durationMs: number): void {
    (status === 'completed' ? this.completed : this.compensated).inc({ flow });
    this.sagaDuration.observe({ flow, status }, durationMs / 1000);
  }

  sagaStalled(flow: string, step: string): void {
    this.stalled.inc({ flow, step });
  }

  stepEnded(flow: string, step: string, status: StepEndStatus, durationMs: number): void {
    this.stepDuration.observe({ flow, step, status }, durationMs / 1000);
  }

  taskAttemptEnded(attempt: ObservedTaskAttempt, outcome: TaskAttemptOutcome, durationMs: number): void {
    const { flow, task, kind } = attempt;
    this.taskDuration.observe({ flow, task, kind, outcome }, durationMs / 1000);
  }

  callbackFailed(flow: string): void {
    this.callbackFailures.inc({ flow });
  }

  /** Sets `dta_queue_messages` from the broker; a broker that is down or slow leaves it out, logged. */
  private async countQueues(): Promise<void> {
    const depths = await this.readDepths();
    this.queueMessages.reset();
    for (const { queues } of depths ?? []) {
      for (const [queue, ready] of Object.entries(queues)) this.queueMessages.set({ queue }, ready);
    }
  }

  /** Sets `dta_dead_letter_messages` from the broker, with the same reading as `dta_queue_messages`. */
  private async countDeadLetters(): Promise<void> {
    const depths = await this.readDepths();
    this.deadLetters.reset();
    // The dead-letter queue is shared: any of the readings has its depth.
    if (depths?.[0]) this.deadLetters.set({ queue: depths[0].deadLetterQueue }, depths[0].deadLetters);
  }

  /** The broker's depths for the flows this app orchestrates; undefined (logged) when it did not answer in time. */
  private async depthsOfFlows(): Promise<QueueDepths[] | undefined> {
    const plans = this.plans.allPlans();
    const reading = plans.map((plan) =>
      this.transport.queueDepths(
        plan.flow,
        plan.steps.flatMap((step) => step.tasks.map((task) => task.name)),
      ),
    );
    try {
      return await within(COUNT_TIMEOUT_MS, Promise.all(reading));
    } catch (error) {
      this.logger.warn(`queue depths left out of this scrape: the broker did not answer: ${String(error)}`);
      return undefined;
    }
  }

  /**
   * Sets `dta_outbox_oldest_age_seconds` from the store, in its clock. An outbox lives from its commit until
   * its commands are published (milliseconds); one that grows old is a publisher that died or a broker that
   * refuses, and the outbox relay republishes it.
   */
  private async ageOutboxes(): Promise<void> {
    try {
      const [now, oldest] = await within(
        COUNT_TIMEOUT_MS,
        Promise.all([this.store.time(), this.store.oldestOutboxAt()]),
      );
      this.outboxAge.set(oldest === undefined ? 0 : Math.max(0, now - oldest) / 1000);
    } catch (error) {
      this.outboxAge.set(Number.NaN);
      this.logger.warn(`the outbox age is NaN in this scrape: the store did not answer: ${String(error)}`);
    }
  }

  /** Sets `dta_sagas` from the store; a store that is down or slow leaves it out of this scrape, logged. */
  private async countSagas(): Promise<void> {
    const flows = this.plans.allPlans().map((plan) => plan.flow);
    let counts: Record<SagaStatus, number>[];
    try {
      counts = await within(COUNT_TIMEOUT_MS, Promise.all(flows.map((flow) => this.store.count(flow))));
    } catch (error) {
      this.sagas.reset();
      this.logger.warn(
        `${this.sagasName} left out of this scrape: the store did not count: ${String(error)}`,
      );
      return;
    }
    // Reset and set in one go: a concurrent scrape never reads the gauge in between.
    this.sagas.reset();
    flows.forEach((flow, i) => {
      for (const status of OPEN_STATUSES) this.sagas.set({ flow, status }, counts[i][status] ?? 0);
    });
  }
}
