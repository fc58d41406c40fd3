import type { LoggerService } from '@nestjs/common';

/** How long one reading of a flow's queued starts is trusted: at most one broker round trip per flow per second. */
export const QUEUED_STARTS_READING_MS = 1000;

interface Reading {
  /** Starts queued at the reading, plus those this instance admitted since. */
  count: number;
  at: number;
}

/**
 * Admits starts of a flow while fewer than a bound wait for an orchestrator. The broker's count is read at most
 * once per `readingMs` per flow (concurrent callers share one read); the starts this instance admits in between
 * are added to it, so one instance never overshoots the bound, and several overshoot it by at most what they
 * admit within one reading. A failed read admits (a broker outage fails the send, not the admission).
 */
export class QueuedStartsGauge {
  private readonly readings = new Map<string, Reading>();
  private readonly reading = new Map<string, Promise<void>>();

  constructor(
    private readonly read: (flow: string) => Promise<number>,
    private readonly logger: LoggerService,
    readonly readingMs = QUEUED_STARTS_READING_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts one more start of `flow` if fewer than `bound` are queued.
   * @returns `undefined` if admitted, else the number of starts queued
   */
  async admit(flow: string, bound: number): Promise<number | undefined> {
    await this.refresh(flow);
    const reading = this.readings.get(flow) ?? { count: 0, at: this.now() };
    if (reading.count >= bound) return reading.count;
    this.readings.set(flow, { ...reading, count: reading.count + 1 });
    return undefined;
  }

  private async refresh(flow: string): Promise<void> {
    const last = this.readings.get(flow);
    if (last && this.now() - last.at < this.readingMs) return;
    let pending = this.reading.get(flow);
    if (!pending) {
      pending = this.read(flow).then(
        (count) => void this.readings.set(flow, { count, at: this.now() }),
        (error: unknown) => {
          this.logger.warn(`Could not count the queued starts of '${flow}', admitting: ${String(error)}`);
          this.readings.set(flow, { count: 0, at: this.now() });
        },
      );
      const shared = pending.finally(() => this.reading.delete(flow));
      this.reading.set(flow, shared);
      pending = shared;
    }
    await pending;
  }
}
