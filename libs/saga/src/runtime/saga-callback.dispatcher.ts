import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { postCallback } from '../callbacks/callback.post';
import { redactUrl } from '../callbacks/callback-url.policy';
import { CALLBACK_SIGNATURE_HEADER, signCallback } from '../callbacks/callback.signature';
import type { ResolvedSagaModuleOptions } from '../interfaces/saga-module-options.interface';
import { SAGA_TRANSPORT } from '../saga.constants';
import { SAGA_MODULE_OPTIONS } from '../saga.module-definition';
import { type CallbackMessage, InvalidMessageError } from '../transport/saga-messages';
import type { SagaTransport } from '../transport/saga-transport.interface';
import { sagaLog } from './saga-log';
import { SagaObservers } from './saga-observers';

/** Attempts of one callback before it goes to the dead-letter queue: 10 tries over about 2 minutes. */
const CALLBACK_ATTEMPTS = 10;
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 30_000;

/**
 * POSTs terminal results to the callback URLs of async starts. Each callback is held unacknowledged while
 * it is retried with exponential backoff, so a dispatcher that dies hands it to another one; after the last
 * attempt it is dead-lettered with the reason.
 *
 * Each POST is checked against the URL policy again (`callbackHosts`, `callbackAllowPrivate`, every resolved
 * address), follows no redirect, lasts at most `callbackTimeoutMs`, and is signed (`x-dta-signature`). Callbacks
 * are handled concurrently up to the consumer's prefetch, so one slow or dead receiver delays no other. Logs
 * and dead-letter reasons name the URL without credentials or query (`redactUrl`).
 */
@Injectable()
export class SagaCallbackDispatcher implements OnApplicationBootstrap {
  private readonly logger = new Logger(SagaCallbackDispatcher.name);

  constructor(
    @Inject(SAGA_TRANSPORT) private readonly transport: SagaTransport,
    @Inject(SAGA_MODULE_OPTIONS) private readonly options: ResolvedSagaModuleOptions,
    private readonly observers: SagaObservers,
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
        sagaLog(`callback to ${redactUrl(message.url)} failed (attempt ${attempt}): ${failure}`, message),
      );
      if (attempt < CALLBACK_ATTEMPTS) await sleep(Math.min(MAX_DELAY_MS, delayMs * 2 ** (attempt - 1)));
    }
    this.observers.callbackFailed(message.flow);
    throw new InvalidMessageError(
      `callback to ${redactUrl(message.url)} failed ${CALLBACK_ATTEMPTS} times; last: ${failure}`,
    );
  }

  /** One signed POST; returns '' on a 2xx answer, else what went wrong. */
  private async post(message: CallbackMessage): Promise<string> {
    // The result was made for callers when it was sent (see `SagaOrchestrator`): no internal error text.
    const body = JSON.stringify(message.result);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-request-id': message.traceId,
    };
    const secret = this.options.callbackSecret;
    if (secret)
      headers[CALLBACK_SIGNATURE_HEADER] = signCallback(secret, body, Math.floor(Date.now() / 1000));
    const policy = { hosts: this.options.callbackHosts, allowPrivate: this.options.callbackAllowPrivate };
    return postCallback(message.url, body, headers, policy, this.options.callbackTimeoutMs);
  }
}
