import { Inject, Injectable } from '@nestjs/common';
import {
  Compensate,
  type CompensationContext,
  SAGA_STORE,
  type SagaStore,
  Task,
  type TaskContext,
  TaskRejectedError,
} from '@dta/saga';
import {
  BENCH_INITIAL_STOCK,
  BenchBooking,
  STOCKED_PRODUCT_PREFIX,
  type BenchBookingInput,
  type Charged,
  type OrderCmd,
  type OrderCreated,
  type Reserved,
} from './bench-booking.contract';

/**
 * No-op handlers: each returns a small output at once, so the bench measures DTA and not the tasks. The
 * one exception is the stock of stocked products (the stock runs): reserve-stock and its compensation use
 * the saga store's atomic counters, as the example's inventory does.
 */
@Injectable()
export class BenchBookingTasks {
  constructor(@Inject(SAGA_STORE) private readonly store: SagaStore) {}

  @Task(BenchBooking.task.createOrder)
  createOrder(input: BenchBookingInput, ctx: TaskContext): OrderCreated {
    return { orderId: `ord-${ctx.sagaId}`, productId: input.productId, quantity: input.quantity };
  }

  @Task(BenchBooking.task.chargePayment)
  chargePayment(cmd: OrderCmd): Charged {
    return { paymentId: `pay-${cmd.orderId}`, amount: cmd.quantity * 10 };
  }

  @Task(BenchBooking.task.reserveStock)
  async reserveStock(cmd: OrderCmd): Promise<Reserved> {
    if (cmd.productId.startsWith(STOCKED_PRODUCT_PREFIX)) {
      const adjusted = await this.store.adjustCounters({
        key: `bench:stock:${cmd.productId}`,
        entryId: cmd.orderId,
        deltas: { available: -cmd.quantity, reserved: cmd.quantity },
        initial: { available: BENCH_INITIAL_STOCK, reserved: 0 },
      });
      if (adjusted.status === 'refused') throw new TaskRejectedError(`out of stock: ${cmd.productId}`);
    }
    return { productId: cmd.productId, quantity: cmd.quantity };
  }

  @Task(BenchBooking.task.confirmOrder)
  confirmOrder(): void {}

  @Compensate(BenchBooking.task.createOrder)
  cancelOrder(): void {}

  @Compensate(BenchBooking.task.chargePayment)
  refund(): void {}

  @Compensate(BenchBooking.task.reserveStock)
  async release(ctx: CompensationContext<OrderCmd, Reserved>): Promise<void> {
    const { productId, orderId } = ctx.input;
    if (productId.startsWith(STOCKED_PRODUCT_PREFIX)) {
      await this.store.revertCounters(`bench:stock:${productId}`, orderId);
    }
  }
}
