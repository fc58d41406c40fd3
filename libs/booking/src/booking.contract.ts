import { defineSaga, SAGA_LIFECYCLE, task } from '@dta/saga';
import { CreateBookingDto } from './dto/create-booking.dto';

// Types are aliases, not interfaces, so that they are JSON values for `SagaView` and the store.

/** Output of create-order. */
export type OrderCreated = { orderId: string; productId: string; quantity: number };

/**
 * The faults a booking asked for (see `CreateBookingDto`), handed by the saga to the tasks that honour them:
 * a task gets what its step gives it, never the whole saga input.
 */
export type BookingFaults = Pick<
  CreateBookingDto,
  'faultInject' | 'failCompensationsUntil' | 'failCompensation' | 'slowInventoryMs'
>;

/** Input of charge-payment. */
export type ChargeCmd = { orderId: string; productId: string; quantity: number; faults?: BookingFaults };
/** Output of charge-payment. */
export type Charged = { paymentId: string; amount: number };

/** Input of reserve-stock. */
export type ReserveCmd = { orderId: string; productId: string; quantity: number; faults?: BookingFaults };
/** Output of reserve-stock: the product's stock right after the reservation. */
export type Reserved = { productId: string; quantity: number; available: number; reserved: number };

/** Input of confirm-order. */
export type ConfirmCmd = { orderId: string; faults?: BookingFaults };

/**
 * The booking flow: create an order, then charge the payment and reserve the stock in parallel, then
 * confirm the order. Shared by the gateway, the orchestrator and the order, payment and inventory services.
 */
export const Booking = defineSaga('booking', {
  input: CreateBookingDto,
  // A booking waits out an outage of up to ten minutes; past that, whatever has no outcome is undone.
  deadline: '10m',
  // Services and the e2e suites follow bookings on the events exchange (`booking.rollback`, `booking.completed`...).
  events: SAGA_LIFECYCLE,
  tasks: {
    createOrder: task<CreateBookingDto, OrderCreated>({ timeout: '2s', attempts: 3 }),
    chargePayment: task<ChargeCmd, Charged>({
      timeout: '5s',
      attempts: 5,
      backoff: { delay: '200ms', factor: 2 },
    }),
    reserveStock: task<ReserveCmd, Reserved>({ timeout: '3s', attempts: 3 }),
    // The last step: once the order is confirmed the saga is complete, there is nothing left to undo it for.
    confirmOrder: task<ConfirmCmd, void>({ timeout: '2s', attempts: 3, compensable: false }),
  },
});
