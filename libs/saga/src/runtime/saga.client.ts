import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { SagaContract, SagaInput } from '../definition/saga-contract';
import { sagaStatusView } from '../engine/saga-status';
import {
  type SagaCompleted,
  SagaCompensatedError,
  SagaStalledError,
  SagaNotFoundError,
  type SagaOutcome,
  SagaWaitExceededError,
} from '../errors/saga-outcome.error';
import { SagaOverloadedError } from '../errors/saga-overloaded.error';
import { UnorchestratedFlowError } from '../errors/task-hosting.error';
import type { SagaStatusView } from '../interfaces/saga-status.interface';
import type { ResolvedSagaModuleOptions } from '../interfaces/saga-module-options.interface';
import { SAGA_STORE, SAGA_TRANSPORT } from '../saga.constants';
import { SAGA_MODULE_OPTIONS } from '../saga.module-definition';
import { SAGA_MESSAGES } from '../saga.messages';
import type { SagaStore } from '../store/saga-store.interface';
import { type ResultMessage, type StartMessage, WIRE_VERSION } from '../transport/saga-messages';
import type { SagaTransport } from '../transport/saga-transport.interface';
import { activeSpanContext, isTracing } from '../transport/trace-context';
import { QueuedStartsGauge } from './queued-starts.gauge';
import { SagaRegistry } from './saga.registry';
import { SagaResultWaiters } from './saga-result.waiters';
import { checkInputDepth, checkStartSize } from './saga-input.bounds';
import { validateSagaInput } from './saga-input.validator';
import { callerStatusView } from './caller-view';
import { idempotentSagaId } from './idempotency.record';
import { checkCallbackUrl } from './callback-url.check';

/** Options of one start. */
export interface SagaStartOptions {
  /**
   * Trace id carried by every message and log line of the saga; its W3C form is the trace id of the saga's
   * OpenTelemetry spans. @default the trace id of the active OpenTelemetry span (when an SDK is registered),
   * else a new UUID
   */
  traceId?: string;
  /**
   * Makes the start idempotent: the same key for the same flow always names the same saga, so a repeated
   * request (even at another replica) returns it instead of starting a second one, within the retention. The
   * key is recorded with a hash of the input: the same key with another input throws
   * `SagaIdempotencyConflictError` and starts nothing. The saga id is random, never derived from the key.
   * @default none
   */
  idempotencyKey?: string;
  /** How long to wait: for the terminal state (`run`) or for the saga to be stored (`start`). @default module `waitMs` */
  waitMs?: number;
}

/** Options of `SagaClient.run`. */
export interface SagaRunOptions extends SagaStartOptions {
  /**
   * `sync`: the saga starts at once. `throttled`: the start waits in the flow's broker queue until an
   * orchestrator has room (each runs at most `maxConcurrent` throttled sagas at once); the caller waits all
   * the same, within `waitMs`. @default 'sync'
   */
  mode?: 'sync' | 'throttled';
}

/** Options of `SagaClient.start`. */
export interface SagaAsyncStartOptions extends SagaStartOptions {
  /** URL the terminal result is POSTed to (JSON), retried with backoff until it answers 2xx. @default none */
  callbackUrl?: string;
}

/** Identifies a started saga. */
export interface SagaHandle {
  sagaId: string;
  traceId: string;
  flow: string;
}

type Flow<C extends SagaContract> = C | string;

/**
 * Starts sagas and reads their status. The input is validated against the contract's DTO before anything
 * is published; the terminal result is pushed back to this instance over the bus. With an OpenTelemetry SDK
 * registered, a saga started inside a span of its trace (the default trace id) continues it: the
 * orchestrator's `saga start` span is that span's child.
 *
 * Backpressure: starts beyond the orchestrators' capacity wait in the broker. Once `maxQueuedStarts` starts of
 * a flow wait there (read from the broker at most once a second, plus this instance's own starts since), a new
 * start throws `SagaOverloadedError` and publishes nothing; accepted starts are never dropped.
 */
@Injectable()
export class SagaClient {
  private readonly gauge: QueuedStartsGauge;

  constructor(
    private readonly registry: SagaRegistry,
    private readonly results: SagaResultWaiters,
    @Inject(SAGA_STORE) private readonly store: SagaStore,
    @Inject(SAGA_TRANSPORT) private readonly transport: SagaTransport,
    @Inject(SAGA_MODULE_OPTIONS) private readonly options: ResolvedSagaModuleOptions,
  ) {
    this.gauge = new QueuedStartsGauge(
      (flow) => this.transport.queuedStarts(flow),
      new Logger(SagaClient.name),
    );
  }

  /**
   * Starts a saga and waits for its terminal state. Resolves with a completed saga's result; throws
   * `SagaCompensatedError` (rolled back), `SagaStalledError` (stalled), `SagaWaitExceededError` (still
   * running, or still queued, when the wait ran out: the saga goes on), `SagaInputError` (invalid input,
   * nothing started) or `SagaOverloadedError` (too many starts queued, nothing started). When the application
   * is the whole system (`oneProcess`, the default on the memory transport) it throws `UnorchestratedFlowError`
   * at once for a flow no `@Saga` class of this application orchestrates.
   *
   * `input` has the contract's input type; a request body not validated yet may be passed as that type, since
   * it is validated against the contract's DTO before anything is published. The result is typed by the
   * contract: what its `result` composes, else the outputs by task wire name
   * (`(await run(Booking, dto)).result['charge-payment']` is a `Charged`).
   */
  async run<C extends SagaContract>(
    flow: Flow<C>,
    input: SagaInput<C>,
    options: SagaRunOptions = {},
  ): Promise<SagaCompleted<C>> {
    const waitMs = options.waitMs ?? this.options.waitMs;
    const extra = options.mode === 'throttled' ? { throttled: true } : {};
    const { handle, message } = await this.startAndWait(flow, input, options, 'finished', waitMs, extra);
    if (!message)
      throw new SagaWaitExceededError(handle, waitMs, SAGA_MESSAGES.WAIT_EXCEEDED(handle.sagaId, waitMs));
    return this.outcome(handle, message);
  }

  /**
   * Starts a saga and returns as soon as it is stored; follow it with `status(sagaId)` or a callback URL.
   * Throws `SagaInputError` (a bad input or callback URL) or `SagaOverloadedError` (nothing started), or
   * `SagaWaitExceededError`; `UnorchestratedFlowError` as `run` does.
   */
  async start<C extends SagaContract>(
    flow: Flow<C>,
    input: SagaInput<C>,
    options: SagaAsyncStartOptions = {},
  ): Promise<SagaHandle> {
    const waitMs = options.waitMs ?? this.options.waitMs;
    const contract = typeof flow === 'string' ? this.registry.contract(flow) : flow;
    if (options.callbackUrl !== undefined) {
      const policy = { hosts: this.options.callbackHosts, allowPrivate: this.options.callbackAllowPrivate };
      checkCallbackUrl(contract.name, options.callbackUrl, policy);
    }
    const extra = { ack: true, ...(options.callbackUrl ? { callbackUrl: options.callbackUrl } : {}) };
    const { handle, message } = await this.startAndWait(flow, input, options, 'accepted', waitMs, extra);
    if (!message) {
      throw new SagaWaitExceededError(handle, waitMs, SAGA_MESSAGES.NOT_ACCEPTED(handle.sagaId, waitMs));
    }
    return handle;
  }

  /**
   * Where a saga stands, as its caller may see it: errors other than refusals without their text, no operator
   * history (`SagaAdmin.status` has everything). Throws `SagaNotFoundError` for an unknown or expired id.
   */
  async status(sagaId: string): Promise<SagaStatusView> {
    const state = await this.store.load(sagaId);
    if (!state) throw new SagaNotFoundError(SAGA_MESSAGES.UNKNOWN_SAGA(sagaId), sagaId);
    return callerStatusView(sagaStatusView(state));
  }

  /**
   * Checks the input's bounds and validates it, admits the start under backpressure, then publishes it with a
   * waiter already in place (the answer may be quick).
   */
  private async startAndWait(
    flow: Flow<SagaContract>,
    input: unknown,
    options: SagaStartOptions,
    kind: ResultMessage['kind'],
    waitMs: number,
    extra: Partial<StartMessage>,
  ): Promise<{ handle: SagaHandle; message?: ResultMessage }> {
    const contract = typeof flow === 'string' ? this.registry.contract(flow) : flow;
    // When this application is the whole system, only it can run the saga: without its @Saga here none would.
    if (this.options.oneProcess && !this.registry.plan(contract.name)) {
      const where = `SagaClient.${kind === 'finished' ? 'run' : 'start'}`;
      throw new UnorchestratedFlowError(SAGA_MESSAGES.UNORCHESTRATED_FLOW(where, contract.name));
    }
    checkInputDepth(contract.name, input, this.options.maxMessageDepth);
    const json = await validateSagaInput(contract, input);
    // Published below in the caller's context: the start message names the caller's span as its parent.
    const traceId =
      options.traceId ?? (isTracing() ? activeSpanContext()?.traceId : undefined) ?? randomUUID();
    const sagaId = options.idempotencyKey
      ? await idempotentSagaId(
          this.store,
          contract.name,
          options.idempotencyKey,
          json,
          this.options.retentionMs,
        )
      : randomUUID();
    const handle = { sagaId, traceId, flow: contract.name };
    const start: StartMessage = {
      v: WIRE_VERSION,
      ...handle,
      input: json,
      replyTo: this.results.address,
      ...extra,
    };
    checkStartSize(contract.name, start, this.options.maxMessageBytes);
    await this.admit(contract.name);
    const pending = this.results.wait(sagaId, kind, waitMs);
    const sent = this.transport.sendStart(start).catch((error: unknown) => {
      pending.cancel();
      throw error;
    });
    // An answer proves the start arrived, so it is not held back for the broker's confirm of the start
    // (RabbitMQ confirms a persistent message once it is on disk or acknowledged: often after the saga ended).
    // Without an answer (the wait ran out, or the publish failed) the start must be confirmed, or this throws.
    const message = await Promise.race([pending.promise, sent.then(() => pending.promise)]);
    if (!message) await sent;
    // A repeated idempotent start answers with the first one's trace id.
    return { handle: message ? { ...handle, traceId: message.traceId } : handle, message };
  }

  /** Throws `SagaOverloadedError` when `maxQueuedStarts` starts of `flow` already wait for an orchestrator. */
  private async admit(flow: string): Promise<void> {
    const bound = this.options.maxQueuedStarts;
    if (bound === 0) return;
    const queued = await this.gauge.admit(flow, bound);
    if (queued === undefined) return;
    const retryAfterMs = this.gauge.readingMs;
    const message = SAGA_MESSAGES.OVERLOADED(flow, queued, bound, retryAfterMs);
    throw new SagaOverloadedError(message, flow, queued, bound, retryAfterMs);
  }

  private outcome<C extends SagaContract>(handle: SagaHandle, message: ResultMessage): SagaCompleted<C> {
    const outcome: SagaOutcome = { sagaId: message.sagaId, traceId: message.traceId, flow: handle.flow };
    if (message.status === 'completed') {
      // Typed as the contract declares the handlers' outputs; at run time each was only checked to be JSON.
      const result = (message.result ?? {}) as SagaCompleted<C>['result'];
      return { ...outcome, status: 'completed', result };
    }
    if (message.status === 'compensated' && message.failure) {
      throw new SagaCompensatedError(outcome, message.failure, message.compensated ?? []);
    }
    throw new SagaStalledError(outcome, message.failure, message.compensated ?? []);
  }
}
