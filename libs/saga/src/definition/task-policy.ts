import type { TaskPolicy } from '../engine/saga-plan';
import { InvalidSagaOptionError } from '../errors/saga-definition.error';
import { SAGA_MESSAGES } from '../saga.messages';
import type { TaskOptions } from './saga-contract';
import { type Duration, toMilliseconds } from './duration';

/** Defaults of every task option; see `TaskOptions` for what each means. */
export const TASK_DEFAULTS = {
  timeout: '30s',
  attempts: 3,
  backoff: { delay: '100ms', factor: 2, max: '10s', jitter: 0.2 },
  compensable: true,
  compensationHorizon: '15m',
} as const satisfies Required<Omit<TaskOptions, 'deadline'>>;

export function duration(where: string, option: string, value: Duration): number {
  const ms = toMilliseconds(value);
  if (ms === undefined || ms <= 0) {
    throw new InvalidSagaOptionError(
      SAGA_MESSAGES.INVALID_OPTION(
        where,
        option,
        value,
        "a positive duration such as 500, '200ms', '2s' or '1m'",
      ),
    );
  }
  return ms;
}

function integer(where: string, option: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidSagaOptionError(
      SAGA_MESSAGES.INVALID_OPTION(where, option, value, `an integer >= ${min}`),
    );
  }
  return value;
}

function range(where: string, option: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw new InvalidSagaOptionError(
      SAGA_MESSAGES.INVALID_OPTION(where, option, value, `a number from ${min} to ${max}`),
    );
  }
  return value;
}

/** Applies defaults to a task's options and checks every value; `where` names the task in errors. */
export function resolveTaskPolicy(where: string, options: TaskOptions): TaskPolicy {
  const backoff = { ...TASK_DEFAULTS.backoff, ...options.backoff };
  return {
    timeoutMs: duration(where, 'timeout', options.timeout ?? TASK_DEFAULTS.timeout),
    ...(options.deadline !== undefined ? { deadlineMs: duration(where, 'deadline', options.deadline) } : {}),
    attempts: integer(where, 'attempts', options.attempts ?? TASK_DEFAULTS.attempts, 1),
    backoff: {
      delayMs: duration(where, 'backoff.delay', backoff.delay),
      factor: range(where, 'backoff.factor', backoff.factor, 1, 100),
      maxMs: duration(where, 'backoff.max', backoff.max),
      jitter: range(where, 'backoff.jitter', backoff.jitter, 0, 1),
    },
    compensable: options.compensable ?? TASK_DEFAULTS.compensable,
    compensationHorizonMs: duration(
      where,
      'compensationHorizon',
      options.compensationHorizon ?? TASK_DEFAULTS.compensationHorizon,
    ),
  };
}
