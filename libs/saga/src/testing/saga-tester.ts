import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { SagaAdmin } from '../admin/saga-admin';
import type { SagaStatusView } from '../engine/saga-status-view';
import { isSettled } from '../engine/saga-state';

/** How often {@link SagaTester.settled} reads the saga again. */
const POLL_MS = 5;

/**
 * Follows sagas in a {@link SagaTestingModule}: waits for one started with `SagaClient.start` to settle, and
 * reads its timeline as lines a test can compare.
 */
@Injectable()
export class SagaTester {
  constructor(private readonly admin: SagaAdmin) {}

  /**
   * The saga's operator status once it is completed, compensated or stalled; throws if it is not by
   * `timeoutMs`.
   * @param timeoutMs @default 5_000
   */
  async settled(sagaId: string, { timeoutMs = 5_000 }: { timeoutMs?: number } = {}): Promise<SagaStatusView> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.admin.status(sagaId);
      if (isSettled(status.status)) return status;
      if (Date.now() > until) {
        throw new Error(
          `saga ${sagaId} is still ${status.status} after ${timeoutMs} ms:\n${timelineOf(status).join('\n')}`,
        );
      }
      await sleep(POLL_MS);
    }
  }

  /** The saga's timeline as lines (see {@link timelineOf}). */
  async timeline(sagaId: string): Promise<string[]> {
    return timelineOf(await this.admin.status(sagaId));
  }
}

/**
 * A status's timeline as one line per entry, `event step/task#attempt`, for assertions that read like the
 * saga's story: `'attempt-failed payment/charge-payment#1'`, `'compensation-succeeded order/create-order#1'`,
 * `'action retry charge-payment'`, `'completed'`.
 */
export function timelineOf(status: SagaStatusView): string[] {
  return status.timeline.map((entry) => {
    if (entry.event === 'action') return ['action', entry.action, entry.task].filter(Boolean).join(' ');
    const where = [entry.step, entry.task].filter(Boolean).join('/');
    const attempt = entry.attempt !== undefined ? `#${entry.attempt}` : '';
    return where ? `${entry.event} ${where}${attempt}` : entry.event;
  });
}
