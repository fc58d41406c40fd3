import { defineSaga, task } from '@dta/saga';
import { IsInt, IsNotEmpty, IsString, Min } from 'class-validator';
import type { ProductMix } from '../ipc';

/** Products whose stock the worker keeps with the store's atomic counters; other products' stock is a no-op. */
export const STOCKED_PRODUCT_PREFIX = 'stocked:';

/** Stock a stocked product starts with: enough for any run, so that no booking is refused. */
export const BENCH_INITIAL_STOCK = 1_000_000_000;

/** The product saga `i` of a run books (see {@link ProductMix}). */
export function benchProduct(i: number, products: ProductMix): string {
  if (products === 'one') return `${STOCKED_PRODUCT_PREFIX}hot`;
  if (products === 'distinct') return `${STOCKED_PRODUCT_PREFIX}room-${i}`;
  return `room-${i % 100}`;
}

/** Input of the bench flow, validated by `SagaClient` like the booking DTO. */
export class BenchBookingInput {
  @IsString()
  @IsNotEmpty()
  productId!: string;

  @IsInt()
  @Min(1)
  quantity!: number;
}

export type OrderCreated = { orderId: string; productId: string; quantity: number };
export type OrderCmd = { orderId: string; productId: string; quantity: number };
export type Charged = { paymentId: string; amount: number };
export type Reserved = { productId: string; quantity: number };

/**
 * The booking flow's shape and task policies (libs/booking's contract), with a DTO of its own so that the
 * bench does not depend on the example domain: create-order, then charge-payment and reserve-stock in
 * parallel, then confirm-order.
 */
export const BenchBooking = defineSaga('booking', {
  input: BenchBookingInput,
  tasks: {
    createOrder: task<BenchBookingInput, OrderCreated>({ timeout: '2s', attempts: 3 }),
    chargePayment: task<OrderCmd, Charged>({
      timeout: '5s',
      attempts: 5,
      backoff: { delay: '200ms', factor: 2 },
    }),
    reserveStock: task<OrderCmd, Reserved>({ timeout: '3s', attempts: 3 }),
    confirmOrder: task<{ orderId: string }, void>({ timeout: '2s', attempts: 3, compensable: false }),
  },
});
