import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { SAGA_STORE } from '../saga.constants';
import type { SagaStore } from '../store/saga-store.interface';

/** How often the offset of the store's clock is measured again. */
const SYNC_INTERVAL_MS = 30_000;

/**
 * One clock for every replica: the store's (`SagaStore.time()`, Redis `TIME`). Due timers, barrier leases
 * and the outbox grace period are compared across hosts, so a replica whose own clock runs ahead must not
 * fire a timer early or take over a live lease. The clock is kept as an offset from this host's, measured
 * before the application starts and every 30 s (corrected by half the round trip), so reading it costs
 * nothing.
 */
@Injectable()
export class SagaClock implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(SagaClock.name);
  private offset = 0;
  private timer?: NodeJS.Timeout;

  constructor(@Inject(SAGA_STORE) private readonly store: SagaStore) {}

  /** The store's time now, in epoch milliseconds. */
  now(): number {
    return Date.now() + this.offset;
  }

  async onModuleInit(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => {
      this.sync().catch((error: unknown) => {
        this.logger.warn(`store clock not read, keeping an offset of ${this.offset} ms: ${String(error)}`);
      });
    }, SYNC_INTERVAL_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Measures the offset of the store's clock from this host's. */
  async sync(): Promise<void> {
    const sent = Date.now();
    const stored = await this.store.time();
    const received = Date.now();
    this.offset = Math.round(stored + (received - sent) / 2 - received);
  }
}
