import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedSagaModuleOptions } from '../interfaces/saga-module-options.interface';
import { SAGA_TRANSPORT } from '../saga.constants';
import { SAGA_MODULE_OPTIONS } from '../saga.module-definition';
import { type CallbackMessage, InvalidMessageError } from '../transport/saga-messages';
import type { SagaTransport } from '../transport/saga-transport.interface';
import { sagaLog } from './saga-log';

/** Attempts of one callback before it goes to the dead-letter queue: 10 tries over about 2 minutes. */
const CALLBACK_ATTEMPTS = 10;
const CALLBACK_TIMEOUT_MS = 5_000;
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 30_000;

/**
 * POSTs terminal results to the callback URLs of async starts. Each callback is held unacknowledged while
 * it is retried with exponential backoff, so a dispatcher that dies hands it to another one; after the last
 * attempt it is dead-lettered with the reason.
 */
@Injectable()
export class SagaCallbackDispatcher implements OnApplicationBootstrap {
  private readonly logger = new Logger(SagaCallbackDispatcher.name);

  constructor(
    @Inject(SAGA_TRANSPORT) private readonly transport: SagaTransport,
    @Inject(SAGA_MODULE_OPTIONS) private readonly options: ResolvedSagaModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.orchestrate) return;
    await this.transport.consumeCallbacks((message) => this.deliver(message), {
      prefetch: this.options.prefetch,
    });
  }

  async deliver(message: CallbackMessage, delayMs = FIRST_DELAY_MS): Promise<void> {
    let failure = '';
    for (let attempt = 1; attempt <= CALLBACK_ATTEMPTS; attempt++) {
      failure = await this.post(message);
      if (!failure) return;
      this.logger.warn(
        sagaLog(`callback to ${message.url} failed (attempt ${attempt}): ${failure}`, message),
      );
      if (attempt < CALLBACK_ATTEMPTS) await sleep(Math.min(MAX_DELAY_MS, delayMs * 2 ** (attempt - 1)));
    }
    throw new InvalidMessageError(
      `callback to ${message.url} failed ${CALLBACK_ATTEMPTS} times; last: ${failure}`,
    );
  }

  /** One POST; returns '' on a 2xx answer, else what went wrong. */
  private async post(message: CallbackMessage): Promise<string> {
    try {
      const response = await fetch(message.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': message.traceId },
        body: JSON.stringify(message.result),
        signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
      });
      return response.ok ? '' : `HTTP ${response.status}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
}
