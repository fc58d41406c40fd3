import { type TaskContext, TaskRejectedError } from '@dta/saga';
import type { BookingFaults } from './booking.contract';
import { type FaultTarget, isFaultInject, MAX_SLOW_INVENTORY_MS } from './dto/booking-input.validators';

/** The task a booking asked to fail: `true` means the payment. */
export function injectedFault(faults: BookingFaults | undefined): FaultTarget | undefined {
  const faultInject: unknown = faults?.faultInject;
  if (!isFaultInject(faultInject) || faultInject === false) return undefined;
  return faultInject === true ? 'payment' : faultInject;
}

/** Fails the running task for good (no retry, no compensation) if the booking asked it to. */
export function rejectIfFaultInjected(
  target: FaultTarget,
  faults: BookingFaults | undefined,
  ctx: TaskContext,
): void {
  if (injectedFault(faults) === target) {
    throw new TaskRejectedError(`fault injected into ${ctx.task}`, { faultInject: target });
  }
}

/**
 * Throws a transient error (the compensation is retried) while the booking's `failCompensationsUntil` is in
 * the future: a compensation that fails for a while, then recovers.
 */
export function throwIfCompensationsFail(faults: BookingFaults | undefined, ctx: TaskContext): void {
  const until: unknown = faults?.failCompensationsUntil;
  if (typeof until === 'number' && Date.now() < until) {
    throw new Error(
      `compensation of ${ctx.task} fails on purpose until ${new Date(until).toISOString()} (failCompensationsUntil)`,
    );
  }
}

/** Holds reserve-stock for the booking's `slowInventoryMs` before it reserves: a saga that stays running a while. */
export async function delayIfSlowInventory(faults: BookingFaults | undefined): Promise<void> {
  const ms: unknown = faults?.slowInventoryMs;
  if (typeof ms === 'number' && ms > 0) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(ms, MAX_SLOW_INVENTORY_MS)));
  }
}
