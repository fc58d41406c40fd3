import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { ResolvedSagaModuleOptions } from '../interfaces/saga-module-options.interface';
import { SAGA_TRANSPORT } from '../saga.constants';
import { SAGA_MODULE_OPTIONS } from '../saga.module-definition';
import type { ResultMessage } from '../transport/saga-messages';
import type { SagaTransport } from '../transport/saga-transport.interface';

interface Waiter {
  kind: ResultMessage['kind'];
  resolve: (message: ResultMessage | undefined) => void;
}

/** A wait registered before the start is published, so that a quick answer is not missed. */
export interface PendingResult {
  promise: Promise<ResultMessage | undefined>;
  cancel(): void;
}

/**
 * This instance's result queue (`replyTo` = instance id) and the callers waiting on it. Results are pushed
 * over the bus; nobody polls the store.
 */
@Injectable()
export class SagaResultWaiters implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(
    @Inject(SAGA_TRANSPORT) private readonly transport: SagaTransport,
    @Inject(SAGA_MODULE_OPTIONS) private readonly options: ResolvedSagaModuleOptions,
  ) {}

  /** The address results for this instance are sent to. */
  get address(): string {
    return this.options.instanceId;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.transport.consumeResults(this.address, async (message) => this.onResult(message));
  }

  beforeApplicationShutdown(): void {
    for (const waiters of this.waiters.values()) waiters.forEach((w) => w.resolve(undefined));
    this.waiters.clear();
  }

  /**
   * Waits for a result of `sagaId`: `accepted` (stored) or `finished` (terminal or stalled; also answers an
   * `accepted` wait); or, with `kind` `acted`, the answer to the operator action whose id is passed as
   * `sagaId`. Resolves `undefined` after `waitMs` (never, when `waitMs` is `Infinity`).
   */
  wait(sagaId: string, kind: Waiter['kind'], waitMs: number): PendingResult {
    let waiter!: Waiter;
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<ResultMessage | undefined>((resolve) => {
      waiter = {
        kind,
        resolve: (message) => {
          clearTimeout(timer);
          this.remove(sagaId, waiter);
          resolve(message);
        },
      };
    });
    if (Number.isFinite(waitMs)) timer = setTimeout(() => waiter.resolve(undefined), waitMs);
    this.waiters.set(sagaId, [...(this.waiters.get(sagaId) ?? []), waiter]);
    return { promise, cancel: () => waiter.resolve(undefined) };
  }

  private onResult(message: ResultMessage): void {
    const key = message.kind === 'acted' ? message.actionId : message.sagaId;
    const waiters = (key && this.waiters.get(key)) || [];
    const answers = (w: Waiter) =>
      w.kind === message.kind || (message.kind === 'finished' && w.kind === 'accepted');
    for (const waiter of waiters.filter(answers)) {
      waiter.resolve(message);
    }
  }

  private remove(sagaId: string, waiter: Waiter): void {
    const rest = (this.waiters.get(sagaId) ?? []).filter((w) => w !== waiter);
    if (rest.length > 0) this.waiters.set(sagaId, rest);
    else this.waiters.delete(sagaId);
  }
}
