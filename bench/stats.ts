import type { LoadResult } from './ipc';

/** Throughput and latency of one load run. */
export interface LoadSummary {
  n: number;
  c: number;
  sagasPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  firstError?: string;
}

/** Nearest-rank percentile of ascending `sorted` values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

export function summarizeLoad(result: LoadResult): LoadSummary {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  return {
    n: result.n,
    c: result.c,
    sagasPerSec: (result.n / result.elapsedMs) * 1000,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    errors: result.errors,
    ...(result.firstError ? { firstError: result.firstError } : {}),
  };
}

/** Memory over a long run: medians of the first and the last quarter of the samples (by time). */
export interface FlatnessSummary {
  samples: number;
  firstQuarterRss: number;
  lastQuarterRss: number;
  firstQuarterHeap: number;
  lastQuarterHeap: number;
  /** Growth of the RSS median from the first to the last quarter (0.05 = 5 %). */
  rssGrowth: number;
  flat: boolean;
}

/** RSS counts as flat when its last-quarter median is within 10 % (or 10 MB) of the first quarter's. */
export function summarizeFlatness(samples: readonly { rss: number; heapUsed: number }[]): FlatnessSummary {
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const first = samples.slice(0, quarter);
  const last = samples.slice(-quarter);
  const firstQuarterRss = median(first.map((s) => s.rss));
  const lastQuarterRss = median(last.map((s) => s.rss));
  const growth = lastQuarterRss - firstQuarterRss;
  return {
    samples: samples.length,
    firstQuarterRss,
    lastQuarterRss,
    firstQuarterHeap: median(first.map((s) => s.heapUsed)),
    lastQuarterHeap: median(last.map((s) => s.heapUsed)),
    rssGrowth: growth / firstQuarterRss,
    flat: growth <= Math.max(0.1 * firstQuarterRss, 10 * 1024 * 1024),
  };
}

/** What changed between two counter snapshots, divided by `per`. */
export function perUnit(before: Record<string, number>, after: Record<string, number>, per: number) {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const delta = value - (before[key] ?? 0);
    if (delta > 0) out[key] = delta / per;
  }
  return out;
}
