import { Saga, type SagaState, Step } from '@dta/saga';
import { BenchBooking, type BenchBookingInput, type OrderCmd } from './bench-booking.contract';

type State = SagaState<typeof BenchBooking>;

/** The bench flow's steps: 1 task, 2 tasks in parallel, 1 task (the booking saga's shape). */
@Saga(BenchBooking)
export class BenchBookingSaga {
  @Step(1, ['createOrder'])
  order(s: State): { createOrder: BenchBookingInput } {
    return { createOrder: s.input };
  }

  @Step(2, ['chargePayment', 'reserveStock'], { name: 'payment-and-stock' })
  paymentAndStock(s: State): { chargePayment: OrderCmd; reserveStock: OrderCmd } {
    const { orderId } = s.out('createOrder');
    const { productId, quantity } = s.input;
    return {
      chargePayment: { orderId, productId, quantity },
      reserveStock: { orderId, productId, quantity },
    };
  }

  @Step(3, ['confirmOrder'])
  confirm(s: State): { confirmOrder: { orderId: string } } {
    return { confirmOrder: { orderId: s.out('createOrder').orderId } };
  }
}
