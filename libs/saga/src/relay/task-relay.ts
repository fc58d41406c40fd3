import { setTimeout as sleep } from 'node:timers/promises';
import {
  type BeforeApplicationShutdown,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { Compensate, Task } from '../decorators/task.decorator';
import type { TaskRef } from '../definition/saga-contract';
import { toMilliseconds } from '../definition/duration';
import { TASK_DEFAULTS } from '../definition/task-policy';
import { TaskRejectedError } from '../errors/task-rejected.error';
import type { CompensationContext, TaskContext } from '../interfaces/task-context.interface';
import { sagaLog } from '../runtime/saga-log';
import { RelayCallFailedError } from './errors/relay-call-failed.error';
import { RelaySupersededError } from './errors/relay-superseded.error';
import type { RelayAnswer, RelayCall, RelayChannel } from './relay-call.interface';
import { relayHeaders } from './relay-headers';
import { RELAY_MESSAGES } from './relay.messages';

/** First and longest pause before a relay asks again for an outcome it does not know. */
const FIRST_PAUSE_MS = 100;
const MAX_PAUSE_MS = 5_000;
/** What a shut-down relay awaits instead of an answer: the next delivery asks again. */
const PARKED = new Promise<never>(() => undefined);

/** A task (and its compensation) served by methods of a service that knows nothing of DTA. */
export interface RelayedTask<I, O> {
  readonly ref: TaskRef<I, O>;
  /** `Grpc` or `Http`: the relay class is named `<TaskKey><protocol>Relay`, e.g. `ChargePaymentGrpcRelay`. */
  readonly protocol: string;
  readonly channel: RelayChannel;
  readonly run: {
    readonly call: RelayCall;
    readonly request: (input: I, ctx: TaskContext) => unknown;
    readonly response: (response: unknown, input: I, ctx: TaskContext) => O;
  };
  readonly compensate?: {
    readonly call: RelayCall;
    readonly request: (ctx: CompensationContext<I, O>) => unknown;
  };
}

/**
 * The host of one relayed task: a `@Task` and a `@Compensate` handler that call the service, so that the
 * worker runs them like any other (barrier, timeout, attempts, replies, compensation armed at dispatch).
 *
 * A call is bounded by the attempt's time (the contract's `timeout`, counted from when the handler begins, as
 * the worker counts it). A refusal fails the task for good, a failure that says the service did not act
 * fails the attempt; after a failure that may have taken effect the relay asks again with the same
 * idempotency key until the service answers for sure (the worker answers "outcome unknown" meanwhile, once
 * the attempt's time is up, and a retry waits for this one): ending the attempt with an error would tell
 * the barrier that the task took no effect, and a later compensation would skip it.
 */
export abstract class TaskRelay<I, O>
  implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  /** Runs of this process still asking for their outcome, by saga id: a compensation here stops them. */
  private readonly asking = new Map<string, Set<AbortController>>();
  private stopping = false;

  protected constructor(private readonly relayed: RelayedTask<I, O>) {
    this.logger = new Logger(new.target.name);
    this.timeoutMs = toMilliseconds(relayed.ref.options.timeout ?? TASK_DEFAULTS.timeout) ?? 30_000;
  }

  onModuleInit(): void {
    this.relayed.channel.open();
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  onApplicationShutdown(): void {
    this.relayed.channel.close();
  }

  /** Calls the served method for the task; see the class. */
  async run(input: I, ctx: TaskContext): Promise<O> {
    const { call, request, response } = this.relayed.run;
    const body = request(input, ctx);
    const headers = relayHeaders(ctx, 'run');
    const attemptEnds = Date.now() + this.timeoutMs;
    const superseded = new AbortController();
    const asking = this.asking.get(ctx.sagaId) ?? new Set<AbortController>();
    this.asking.set(ctx.sagaId, asking.add(superseded));
    try {
      let doubted = false;
      for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
        const now = Date.now();
        // Past the attempt's time (the worker has answered "unknown"), each ask gets the task's timeout anew.
        const deadlineAt = now < attemptEnds ? attemptEnds : now + this.timeoutMs;
        const answer = await call.call(body, headers, deadlineAt, superseded.signal);
        if (superseded.signal.aborted) throw this.superseded(call, ctx);
        if (answer.kind === 'ok') return response(answer.response, input, ctx);
        if (answer.kind === 'rejected') throw new TaskRejectedError(answer.message, answer.details);
        // Once a call may have acted, no failure of a later one says that none did.
        if (answer.kind === 'retryable' && !doubted)
          throw new RelayCallFailedError(answer.message, answer.details);
        if (!doubted) {
          const text = RELAY_MESSAGES.ASKING_AGAIN(
            call.describe,
            answer.message,
            headers['x-idempotency-key'],
          );
          this.logger.warn(sagaLog(text, ctx));
        }
        doubted = true;
        await this.pause(pause, superseded.signal, call, headers['x-idempotency-key'], ctx);
        if (superseded.signal.aborted) throw this.superseded(call, ctx);
      }
    } finally {
      asking.delete(superseded);
      if (asking.size === 0) this.asking.delete(ctx.sagaId);
    }
  }

  /** Calls the compensating method; any failure but a refusal is retried until the task's horizon. */
  async compensate(ctx: CompensationContext<I, O>): Promise<void> {
    for (const run of this.asking.get(ctx.sagaId) ?? []) run.abort();
    const { call, request } = this.relayed.compensate!;
    const headers = relayHeaders(ctx, 'compensate');
    const answer = await call.call(
      request(ctx),
      headers,
      Date.now() + this.timeoutMs,
      new AbortController().signal,
    );
    this.settle(answer);
  }

  private settle(answer: RelayAnswer): void {
    if (answer.kind === 'ok') return;
    if (answer.kind === 'rejected') throw new TaskRejectedError(answer.message, answer.details);
    throw new RelayCallFailedError(answer.message, answer.details);
  }

  private async pause(
    ms: number,
    signal: AbortSignal,
    call: RelayCall,
    key: string,
    ctx: TaskContext,
  ): Promise<void> {
    await sleep(ms, undefined, { signal }).catch(() => undefined);
    if (!this.stopping || signal.aborted) return;
    // Neither success nor failure is known: the hold lapses with this process, and the next delivery asks.
    this.logger.warn(sagaLog(RELAY_MESSAGES.PARKED(call.describe, key), ctx));
    await PARKED;
  }

  private superseded(call: RelayCall, ctx: TaskContext): RelaySupersededError {
    const text = RELAY_MESSAGES.SUPERSEDED(call.describe);
    this.logger.log(sagaLog(text, ctx));
    return new RelaySupersededError(text);
  }
}

/** `chargePayment` -> `ChargePayment`. */
function pascalCase(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

/**
 * A provider class for one relayed task: `@Task(ref)` on `run`, and `@Compensate(ref)` on `compensate` when
 * the relay has a compensating call (without one, a compensable task fails the bootstrap with
 * `MissingCompensationError`, as a `@Task` class without `@Compensate` does).
 */
export function taskRelayHost<I, O>(relayed: RelayedTask<I, O>): Type<TaskRelay<I, O>> {
  class Relay extends TaskRelay<I, O> {
    constructor() {
      super(relayed);
    }

    override run(input: I, ctx: TaskContext): Promise<O> {
      return super.run(input, ctx);
    }

    override compensate(ctx: CompensationContext<I, O>): Promise<void> {
      return super.compensate(ctx);
    }
  }
  const prototype = Relay.prototype;
  Task(relayed.ref)(prototype, 'run', Object.getOwnPropertyDescriptor(prototype, 'run')!);
  if (relayed.compensate)
    Compensate(relayed.ref)(
      prototype,
      'compensate',
      Object.getOwnPropertyDescriptor(prototype, 'compensate')!,
    );
  Object.defineProperty(Relay, 'name', { value: `${pascalCase(relayed.ref.key)}${relayed.protocol}Relay` });
  return Relay;
}
