import { Injectable } from '@nestjs/common';
import { Compensate, Task, type TaskContext } from '@dta/saga';
import {
  BenchBooking,
  type BenchBookingInput,
  type Charged,
  type OrderCmd,
  type OrderCreated,
  type Reserved,
} from './bench-booking.contract';

/** No-op handlers: each returns a small output at once, so the bench measures DTA and not the tasks. */
@Injectable()
export class BenchBookingTasks {
  @Task(BenchBooking.task.createOrder)
  createOrder(input: BenchBookingInput, ctx: TaskContext): OrderCreated {
    return { orderId: `ord-${ctx.sagaId}`, productId: input.productId, quantity: input.quantity };
  }

  @Task(BenchBooking.task.chargePayment)
  chargePayment(cmd: OrderCmd): Charged {
    return { paymentId: `pay-${cmd.orderId}`, amount: cmd.quantity * 10 };
  }

  @Task(BenchBooking.task.reserveStock)
  reserveStock(cmd: OrderCmd): Reserved {
    return { productId: cmd.productId, quantity: cmd.quantity };
  }

  @Task(BenchBooking.task.confirmOrder)
  confirmOrder(): void {}

  @Compensate(BenchBooking.task.createOrder)
  cancelOrder(): void {}

  @Compensate(BenchBooking.task.chargePayment)
  refund(): void {}

  @Compensate(BenchBooking.task.reserveStock)
  release(): void {}
}
