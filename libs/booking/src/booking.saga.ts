import { Saga, type SagaState, Step, type TaskInput } from '@dta/saga';
import { Booking, type BookingFaults } from './booking.contract';
import type { CreateBookingDto } from './dto/create-booking.dto';

type BookingTasks = typeof Booking.tasks;

/** Inputs of a step's tasks by property name, typed by the contract. */
type StepInputs<K extends keyof BookingTasks> = { [P in K]: TaskInput<BookingTasks[P]> };

type BookingState = SagaState<typeof Booking>;

/** The booking flow: runs in the orchestrator; the tasks run wherever their domain modules are. */
@Saga(Booking)
export class BookingSaga {
  @Step(1, ['createOrder'])
  order(s: BookingState): StepInputs<'createOrder'> {
    return { createOrder: s.input };
  }

  /** Both tasks run in parallel; the step's aggregator waits for the two of them. */
  @Step(2, ['chargePayment', 'reserveStock'], { name: 'payment-and-stock' })
  paymentAndStock(s: BookingState): StepInputs<'chargePayment' | 'reserveStock'> {
    const { orderId } = s.out('createOrder');
    const { productId, quantity } = s.input;
    const faults = faultsOf(s.input);
    return {
      chargePayment: { orderId, productId, quantity, ...faults },
      reserveStock: { orderId, productId, quantity, ...faults },
    };
  }

  @Step(3, ['confirmOrder'])
  confirm(s: BookingState): StepInputs<'confirmOrder'> {
    return { confirmOrder: { orderId: s.out('createOrder').orderId, ...faultsOf(s.input) } };
  }
}

/** `{ faults }` when the booking asked for any (create-order gets the whole booking, faults included). */
function faultsOf(booking: CreateBookingDto): { faults?: BookingFaults } {
  const { faultInject, failCompensationsUntil, failCompensation, slowInventoryMs } = booking;
  const faults = { faultInject, failCompensationsUntil, failCompensation, slowInventoryMs };
  const asked = Object.entries(faults).filter(([, value]) => value !== undefined);
  return asked.length > 0 ? { faults: Object.fromEntries(asked) } : {};
}
