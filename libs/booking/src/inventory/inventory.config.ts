import type { ConfigService } from '@nestjs/config';

/** Stock a product starts with the first time it is seen. */
export const DEFAULT_INITIAL_STOCK = 100;

/** Reads `INVENTORY_INITIAL_STOCK` (an integer >= 0); a bad value fails the bootstrap. */
export function initialStockFrom(config: ConfigService): number {
  const raw = config.get<string | number>('INVENTORY_INITIAL_STOCK');
  if (raw === undefined || raw === '') return DEFAULT_INITIAL_STOCK;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(
      `INVENTORY_INITIAL_STOCK must be an integer >= 0, got '${String(raw)}'. Fix the environment or .env.`,
    );
  }
  return value;
}
