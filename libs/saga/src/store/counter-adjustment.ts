import type { CounterAdjustment } from './saga-counters.interface';

/**
 * Throws a `RangeError` unless every delta, initial value and the floor of `adjustment` is a safe integer:
 * both stores keep counters as integers (Redis `HINCRBY`), and a fraction or NaN would corrupt them.
 */
export function checkCounterAdjustment(adjustment: CounterAdjustment): void {
  const { key, entryId, deltas, initial = {}, floor = 0 } = adjustment;
  const numbers: [string, number][] = [
    ...Object.entries(deltas).map(([name, value]): [string, number] => [`deltas.${name}`, value]),
    ...Object.entries(initial).map(([name, value]): [string, number] => [`initial.${name}`, value]),
    ['floor', floor],
  ];
  for (const [field, value] of numbers) {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(
        `SagaStore.adjustCounters('${key}', '${entryId}'): ${field} is ${String(value)}; counters hold safe integers only.`,
      );
    }
  }
}
