import type { LoggerService } from '@nestjs/common';
import { QueuedStartsGauge } from './queued-starts.gauge';

const quiet: LoggerService = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('QueuedStartsGauge', () => {
  let now: number;
  let queued: number;
  let reads: number;
  const read = async () => {
    reads++;
    return queued;
  };

  beforeEach(() => {
    now = 0;
    queued = 0;
    reads = 0;
  });

  it('admits below the bound and refuses at it, counting its own admissions between readings', async () => {
    const gauge = new QueuedStartsGauge(read, quiet, 1000, () => now);
    queued = 1;
    expect(await gauge.admit('trip', 3)).toBeUndefined();
    expect(await gauge.admit('trip', 3)).toBeUndefined();
    expect(await gauge.admit('trip', 3)).toBe(3);
    expect(reads).toBe(1);
  });

  it('reads the broker again once a reading is older than readingMs, and shares one read among callers', async () => {
    const gauge = new QueuedStartsGauge(read, quiet, 1000, () => now);
    queued = 5;
    expect(await gauge.admit('trip', 5)).toBe(5);
    queued = 0;
    now = 999;
    expect(await gauge.admit('trip', 5)).toBe(5);
    now = 1000;
    const answers = await Promise.all([1, 2, 3].map(() => gauge.admit('trip', 2)));
    expect(answers).toEqual([undefined, undefined, 2]);
    expect(reads).toBe(2);
  });

  it('keeps one reading per flow', async () => {
    const gauge = new QueuedStartsGauge(
      async (flow) => (flow === 'full' ? 9 : 0),
      quiet,
      1000,
      () => now,
    );
    expect(await gauge.admit('full', 9)).toBe(9);
    expect(await gauge.admit('empty', 9)).toBeUndefined();
  });

  it('admits when the broker cannot be read (the send reports the outage)', async () => {
    const gauge = new QueuedStartsGauge(
      async () => Promise.reject(new Error('connection lost')),
      quiet,
      1000,
      () => now,
    );
    expect(await gauge.admit('trip', 1)).toBeUndefined();
  });
});
