/// <reference types="jest" />
import type { InventoryService } from './inventory.service';
import { OutOfStockError } from './out-of-stock.error';

/**
 * 50 bookings of one product with 30 in stock, all at once; then every reservation released twice, the 20
 * refused bookings asked again and 10 releases of reservations never made, all at once. Checks that
 * nothing is oversold and no release is lost, on whatever store `inventory` runs on (its initial stock
 * must be 30 and `productId` never booked before).
 */
export async function expectNoOversellNorLostRelease(
  inventory: InventoryService,
  productId: string,
): Promise<void> {
  const orders = Array.from({ length: 50 }, (_, i) => `o${i}`);
  const first = await Promise.allSettled(orders.map((order) => inventory.reserve(order, productId, 1)));
  const reserved = orders.filter((_, i) => first[i].status === 'fulfilled');
  const refused = orders.filter((_, i) => first[i].status === 'rejected');
  expect(reserved).toHaveLength(30);
  for (const outcome of first) {
    if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(OutOfStockError);
  }
  expect(await inventory.stock(productId)).toEqual({ productId, available: 0, reserved: 30 });

  const [released, again, neverMade] = await Promise.all([
    Promise.all([...reserved, ...reserved].map((order) => inventory.release(order, productId))),
    Promise.allSettled(refused.map((order) => inventory.reserve(order, productId, 1))),
    Promise.all(Array.from({ length: 10 }, (_, i) => inventory.release(`never-${i}`, productId))),
  ]);
  expect(released.filter(Boolean)).toHaveLength(30);
  expect(neverMade.filter(Boolean)).toHaveLength(0);
  const reservedAgain = again.filter((outcome) => outcome.status === 'fulfilled').length;
  expect(await inventory.stock(productId)).toEqual({
    productId,
    available: 30 - reservedAgain,
    reserved: reservedAgain,
  });
}
