import { Injectable } from '@nestjs/common';
import { type TaskContext, TaskRejectedError } from '@dta/saga';
import type { BookingFaults } from './booking.contract';
import { BookingDocumentStore } from './booking-document.store';
import { type CompensationFaultTarget, isCompensationFaultTarget } from './dto/booking-input.validators';

/** A booking's compensation fault, stored at {@link compensationFaultKey}: set until an operator clears it. */
export type CompensationFault = { target: CompensationFaultTarget | null; status: 'set' | 'cleared' };

/** In the shared store, so that every replica of every service sees one flag per saga. */
export const compensationFaultKey = (sagaId: string): string => `booking:fault:${sagaId}`;

/** Path that clears a booking's compensation fault, for messages and docs. */
export const clearFaultPath = (sagaId: string): string => `/faults/${sagaId}`;

/**
 * The `failCompensation` fault of the booking example: the named service's compensation refuses while the
 * saga's fault flag is set. The flag is set by the first compensation attempt and cleared (for good) with
 * `DELETE /faults/:sagaId`, so that a resumed saga then compensates.
 */
@Injectable()
export class CompensationFaultFlags {
  constructor(private readonly documents: BookingDocumentStore) {}

  /** Throws `TaskRejectedError` (the saga stalls) if the booking asked this service's compensation to fail. */
  async rejectWhileSet(
    target: CompensationFaultTarget,
    faults: BookingFaults | undefined,
    ctx: TaskContext,
  ): Promise<void> {
    const wanted: unknown = faults?.failCompensation;
    if (!isCompensationFaultTarget(wanted) || wanted !== target) return;
    const flag = await this.documents.update<CompensationFault, CompensationFault>(
      compensationFaultKey(ctx.sagaId),
      (current) =>
        current
          ? { result: current }
          : { next: { target, status: 'set' }, result: { target, status: 'set' } },
    );
    if (flag.status === 'set') {
      throw new TaskRejectedError(
        `fault injected into the compensation of ${ctx.task} (failCompensation: '${target}'): it fails until cleared with DELETE ${clearFaultPath(ctx.sagaId)}, then resume the saga`,
        { failCompensation: target },
      );
    }
  }

  /** Clears the saga's fault for good (also before it was set); true if it was set. */
  clear(sagaId: string): Promise<boolean> {
    return this.documents.update<CompensationFault, boolean>(compensationFaultKey(sagaId), (current) =>
      current?.status === 'cleared'
        ? { result: false }
        : { next: { target: current?.target ?? null, status: 'cleared' }, result: current?.status === 'set' },
    );
  }
}
