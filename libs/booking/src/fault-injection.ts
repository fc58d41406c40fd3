import { type TaskContext, TaskRejectedError } from '@dta/saga';
import { type FaultTarget, isFaultInject } from './dto/booking-input.validators';

/** The task a booking asked to fail, read from the saga input: `true` means the payment. */
export function injectedFault(sagaInput: unknown): FaultTarget | undefined {
  const faultInject = (sagaInput as { faultInject?: unknown } | null)?.faultInject;
  if (!isFaultInject(faultInject) || faultInject === false) return undefined;
  return faultInject === true ? 'payment' : faultInject;
}

/** Fails the running task for good (no retry, no compensation) if the booking asked it to. */
export function rejectIfFaultInjected(target: FaultTarget, ctx: TaskContext): void {
  if (injectedFault(ctx.sagaInput) === target) {
    throw new TaskRejectedError(`fault injected into ${ctx.task}`, { faultInject: target });
  }
}

/**
 * Throws a transient error (the compensation is retried) while the booking's `failCompensationsUntil` is in
 * the future: a compensation that fails for a while, then recovers.
 */
export function throwIfCompensationsFail(ctx: TaskContext): void {
  const until = (ctx.sagaInput as { failCompensationsUntil?: unknown } | null)?.failCompensationsUntil;
  if (typeof until === 'number' && Date.now() < until) {
    throw new Error(
      `compensation of ${ctx.task} fails on purpose until ${new Date(until).toISOString()} (failCompensationsUntil)`,
    );
  }
}
