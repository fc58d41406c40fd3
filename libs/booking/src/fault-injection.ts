import { type TaskContext, TaskRejectedError } from '@dta/saga';
import { type FaultTarget, isFaultInject, MAX_SLOW_INVENTORY_MS } from './dto/booking-input.validators';

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

/** Holds reserve-stock for the booking's `slowInventoryMs` before it reserves: a saga that stays running a while. */
export async function delayIfSlowInventory(ctx: TaskContext): Promise<void> {
  const ms = (ctx.sagaInput as { slowInventoryMs?: unknown } | null)?.slowInventoryMs;
  if (typeof ms === 'number' && ms > 0) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(ms, MAX_SLOW_INVENTORY_MS)));
  }
}
