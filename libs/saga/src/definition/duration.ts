/** A duration: milliseconds as a number, or a string such as `'250ms'`, `'2s'`, `'1m'`, `'1h'`. */
export type Duration = number | `${number}ms` | `${number}s` | `${number}m` | `${number}h`;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Converts a {@link Duration} to milliseconds; `undefined` for a value that is not one. */
export function toMilliseconds(value: Duration): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = PATTERN.exec(value);
  return match ? Number(match[1]) * UNIT_MS[match[2]] : undefined;
}
