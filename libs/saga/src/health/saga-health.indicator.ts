import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { within, sharedCall } from '../runtime/bounded-call';
import { SAGA_STORE, SAGA_TRANSPORT } from '../saga.constants';
import type { SagaStore } from '../store/saga-store.interface';
import type { SagaTransport } from '../transport/saga-transport.interface';
import {
  DEFAULT_HEALTH_TIMEOUT_MS,
  SAGA_HEALTH_OPTIONS,
  type SagaHealthOptions,
} from './saga-health.options';

/**
 * `@nestjs/terminus` indicators of what sagas need: the broker (`transport`) and the store (`store`). Each
 * asks its part for one round trip, bounded by `timeoutMs`; a probe while one is under way waits for that one. Use them in your
 * own `HealthCheckService.check` beside other indicators, or take `SagaHealthModule`'s routes.
 *
 * @example
 * this.health.check([() => this.saga.transport(), () => this.saga.store()]);
 */
@Injectable()
export class SagaHealthIndicator {
  private readonly timeoutMs: number;
  private readonly brokerCheck: () => Promise<void>;
  private readonly storeCheck: () => Promise<void>;

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(SAGA_TRANSPORT) broker: SagaTransport,
    @Inject(SAGA_STORE) store: SagaStore,
    @Inject(SAGA_HEALTH_OPTIONS) options: SagaHealthOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
    this.brokerCheck = sharedCall(() => broker.check());
    this.storeCheck = sharedCall(() => store.check());
  }

  /** `transport: up` once the broker answered; `down` with the reason, or after `timeoutMs`. */
  transport(key = 'transport'): Promise<HealthIndicatorResult> {
    return this.probe(key, 'the broker', this.brokerCheck);
  }

  /** `store: up` once the store answered; `down` with the reason, or after `timeoutMs`. */
  store(key = 'store'): Promise<HealthIndicatorResult> {
    return this.probe(key, 'the store', this.storeCheck);
  }

  private async probe(key: string, part: string, check: () => Promise<void>): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await within(this.timeoutMs, check(), `${part} did not answer`);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
