import type { Type } from '@nestjs/common';
import type { SagaLifecycle } from '../engine/saga-command';
import type { Duration } from './duration';
import type { SagaState } from './saga-view';

/** How a failed task attempt waits before the next one. */
export interface BackoffOptions {
  /** First wait. @default '100ms' */
  delay?: Duration;
  /** Each further wait is the previous one times this. @default 2 */
  factor?: number;
  /** Upper bound of one wait. @default '10s' */
  max?: Duration;
  /** Share of each wait drawn at random (0 to 1), so that retries of many sagas spread out. @default 0.2 */
  jitter?: number;
}

/** Policies of one task, declared once in the contract and enforced by the orchestrator. */
export interface TaskOptions {
  /**
   * How long one attempt's handler may run, counted by the worker from when it begins the attempt: time spent
   * waiting in a queue, or while the service is down, does not count. An attempt that outruns it counts as
   * failed with an unknown outcome (retried; compensated if it was the last). @default '30s'
   */
  timeout?: Duration;
  /**
   * Longest wait for the task's outcome from its first dispatch, queueing and outages included; past it the
   * outcome is unknown and the saga compensates. @default none: the task waits as long as its service is down
   */
  deadline?: Duration;
  /** How many attempts in all, the first one included. @default 3 */
  attempts?: number;
  /** Wait between attempts. @default { delay: '100ms', factor: 2, max: '10s', jitter: 0.2 } */
  backoff?: BackoffOptions;
  /** Whether the task has a `@Compensate` handler that undoes it on rollback. @default true */
  compensable?: boolean;
  /**
   * How long a failing compensation keeps retrying, counted from its first attempt, with the task's `backoff`
   * (capped exponential). Past it the saga is `stalled` at its step, announces `<flow>.stalled` and waits for
   * an operator (`SagaAdmin.resume`); it never expires. A compensation whose handler throws
   * `TaskRejectedError` stalls the saga at once: retrying cannot help. @default '15m'
   */
  compensationHorizon?: Duration;
}

/** The task options that only say when: what tests may override (`SagaModule`'s `overrideTaskOptions`). */
export type TaskTimingOptions = Omit<TaskOptions, 'compensable'>;

/** A task of a contract, with its input and output types carried for the compiler only. */
export interface TaskSpec<I = unknown, O = unknown> {
  readonly options: TaskOptions;
  /** Phantom field: never set at run time. */
  readonly __types?: (input: I) => O;
}

/** Declares one task of a contract: `task<ChargeCmd, Charged>({ timeout: '5s' })`. */
export function task<I = unknown, O = unknown>(options: TaskOptions = {}): TaskSpec<I, O> {
  return { options };
}

export type TaskInput<T> = T extends TaskSpec<infer I, unknown> ? I : never;
export type TaskOutput<T> = T extends TaskSpec<never, infer O> ? O : never;

/** A reference to a task of a flow, handed to `@Task` and `@Compensate`. */
export interface TaskRef<I = unknown, O = unknown, N extends string = string> {
  /** Flow (saga) name, e.g. `booking`. */
  readonly flow: string;
  /** Property name in the contract, e.g. `chargePayment`. */
  readonly key: string;
  /** Wire name, e.g. `charge-payment`: queue names, status and `SagaCompleted.result` use it. */
  readonly name: N;
  readonly options: TaskOptions;
  /** Phantom field: never set at run time. */
  readonly __types?: (input: I) => O;
}

/** Any task spec, whatever its input and output types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance of phantom types
export type AnyTaskSpec = TaskSpec<any, any>;

/** Any task reference, whatever its input and output types. */
export type AnyTaskRef = TaskRef<never, unknown>;

/** What `defineSaga` takes besides the name; `R` is what {@link SagaContractOptions.result} composes. */
export interface SagaContractOptions<In, T extends Record<string, AnyTaskSpec>, R = TaskOutputs<T>> {
  /** class-validator DTO of the saga input; validated before anything is published. */
  input?: Type<In>;
  /** The tasks of the flow by property name; wire names are their kebab-case form. */
  tasks: T;
  /**
   * Longest run of one saga from its start: past it, the tasks of its current step that have no outcome yet
   * count as unknown and the saga compensates. @default none: a saga waits as long as its services are down
   */
  deadline?: Duration;
  /**
   * Lifecycle events the flow publishes to the events exchange, each through the outbox with the transition
   * that decided it: name those something subscribes to (`SAGA_LIFECYCLE` names all six: `started`,
   * `step-completed`, `rollback`, `completed`, `compensated`, `stalled`). Each costs one confirmed publish per
   * saga (`step-completed`: one per step), so a flow publishes none unless it asks. Callers' results and
   * callbacks do not need events.
   * @default none
   */
  events?: readonly SagaLifecycle[];
  /**
   * Composes the caller's answer (`SagaCompleted.result`, the callback's `result`) from the saga once every
   * step succeeded; it runs in the orchestrator, once, and must return JSON. One that throws stalls the saga at
   * its last step (`SagaResultError`), with every effect kept: fix it and `resume`.
   * @default the outputs of the tasks that succeeded, by wire name
   * @example result: (s) => ({ orderId: s.out('createOrder').orderId, paid: s.out('chargePayment').amount })
   */
  result?(this: void, saga: SagaState<SagaContract<In, T>>): R;
}

/** The names and types that the gateway, the orchestrator and every service share. */
export interface SagaContract<
  In = unknown,
  T extends Record<string, AnyTaskSpec> = Record<string, AnyTaskSpec>,
  R = unknown,
> {
  readonly name: string;
  readonly input?: Type<In>;
  readonly tasks: T;
  /** See {@link SagaContractOptions.deadline}. */
  readonly deadline?: Duration;
  /** See {@link SagaContractOptions.events}. */
  readonly events?: readonly SagaLifecycle[];
  /** See {@link SagaContractOptions.result}. */
  result?(this: void, saga: SagaState<SagaContract<In, T>>): R;
  /** Task references by property: `Booking.task.chargePayment`. */
  readonly task: {
    readonly [K in keyof T & string]: TaskRef<TaskInput<T[K]>, TaskOutput<T[K]>, WireName<K>>;
  };
}

export type SagaInput<C> = C extends SagaContract<infer In> ? In : never;

/**
 * `chargePayment` -> `charge-payment` for the compiler, as {@link toWireName} does at run time for keys in
 * camelCase (a dash before a capital that follows a small letter or digit; a space or `_` becomes a dash).
 */
export type WireName<S extends string, Prev extends string = ''> = string extends S
  ? string
  : S extends `${infer C}${infer Rest}`
    ? C extends ' ' | '_'
      ? `-${WireName<Rest, '-'>}`
      : C extends Lowercase<C>
        ? `${C}${WireName<Rest, C>}`
        : `${Prev extends '' | '-' ? '' : Prev extends Lowercase<Prev> ? '-' : ''}${Lowercase<C>}${WireName<Rest, C>}`
    : '';

/** The outputs of a completed saga by task wire name, typed by the contract. */
export type SagaOutputs<C extends SagaContract> = TaskOutputs<C['tasks']>;

/** The outputs of tasks `T` by wire name. */
export type TaskOutputs<T extends Record<string, AnyTaskSpec>> = string extends keyof T
  ? { [task: string]: unknown }
  : { [K in keyof T & string as WireName<K>]: TaskOutput<T[K]> };

/** What a completed saga of contract `C` answers: what its `result` composes, else its outputs. */
export type SagaResult<C extends SagaContract> =
  C extends SagaContract<infer _In, infer _T, infer R> ? (unknown extends R ? SagaOutputs<C> : R) : never;

/** `chargePayment` -> `charge-payment`. */
export function toWireName(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[\s_]+/g, '-')
    .toLowerCase();
}

/**
 * Declares a flow contract: its name, input DTO and tasks with their policies.
 *
 * @example
 * export const Booking = defineSaga('booking', {
 *   input: CreateBookingDto,
 *   tasks: { createOrder: task<CreateBookingDto, OrderCreated>({ timeout: '2s' }) },
 * });
 */
export function defineSaga<In, T extends Record<string, AnyTaskSpec>, R = TaskOutputs<T>>(
  name: string,
  options: SagaContractOptions<In, T, R>,
): SagaContract<In, T, R> {
  const refs: Record<string, AnyTaskRef> = {};
  for (const [key, spec] of Object.entries(options.tasks)) {
    refs[key] = Object.freeze({ flow: name, key, name: toWireName(key), options: spec.options });
  }
  return Object.freeze({
    name,
    input: options.input,
    tasks: options.tasks,
    ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
    ...(options.events !== undefined ? { events: Object.freeze([...options.events]) } : {}),
    ...(options.result ? { result: options.result } : {}),
    task: Object.freeze(refs) as SagaContract<In, T>['task'],
  });
}
