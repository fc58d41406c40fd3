import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import type { ResolvedSagaModuleOptions } from '../interfaces/saga-module-options.interface';
import { SAGA_STORE } from '../saga.constants';
import { SAGA_MODULE_OPTIONS } from '../saga.module-definition';
import type { SagaStore } from '../store/saga-store.interface';
import { SagaClock } from './saga.clock';
import { SagaOrchestrator } from './saga.orchestrator';
import { SagaRegistry } from './saga.registry';

/** A claimed timer stays hidden from other sweepers this long; if this one dies it comes back. */
const TIMER_LEASE_MS = 30_000;
/** An outbox older than this was left by a publisher that died. */
const OUTBOX_GRACE_MS = 5_000;
const BATCH = 100;

/** Fires due timers (retry backoffs, deadlines) and republishes commands a crashed replica left behind. */
@Injectable()
export class SagaTimerSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SagaTimerSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private lastOutboxSweep = 0;

  constructor(
    private readonly registry: SagaRegistry,
    private readonly orchestrator: SagaOrchestrator,
    private readonly clock: SagaClock,
    @Inject(SAGA_STORE) private readonly store: SagaStore,
    @Inject(SAGA_MODULE_OPTIONS) private readonly options: ResolvedSagaModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.registry.allPlans().length > 0) this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One pass: fires every due timer, and every `OUTBOX_GRACE_MS` republishes stale outboxes. `now` is the
   * store's clock, which both the timers' due times and the outboxes' ages are measured by.
   */
  async sweep(now = this.clock.now()): Promise<void> {
    for (;;) {
      const due = await this.store.claimDueTimers(now, TIMER_LEASE_MS, BATCH);
      await Promise.all(
        due.map(async (timer) => {
          if (await this.orchestrator.onTimer(timer)) await this.store.completeTimer(timer);
        }),
      );
      if (due.length < BATCH) break;
    }
    if (now - this.lastOutboxSweep >= OUTBOX_GRACE_MS) {
      this.lastOutboxSweep = now;
      for (const outbox of await this.store.pendingOutboxes(now - OUTBOX_GRACE_MS, BATCH)) {
        await this.orchestrator.republish(outbox.sagaId, outbox.version, outbox.commands);
      }
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .catch((error: unknown) => this.logger.error(`timer sweep failed: ${String(error)}`))
        .finally(() => this.schedule());
    }, this.options.sweepIntervalMs);
  }
}
