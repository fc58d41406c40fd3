import { grpcTask, loadGrpcService } from '@dta/saga/grpc';
import { Booking, injectedFault, UNIT_PRICE } from '@dta/booking';
import { DECLINED_CARD, PAYMENT_PROTO_PATH } from '@dta/booking/payment-plain';

/** The plain payment service's client, from `PAYMENT_PROTO_PATH` (default proto/payment.proto). */
const PaymentService = loadGrpcService(
  process.env.PAYMENT_PROTO_PATH ?? PAYMENT_PROTO_PATH,
  'payment.PaymentService',
);

/** A card the plain service accepts; a booking with `faultInject: 'payment'` pays with a declined one. */
const TEST_CARD = 'tok_visa';

/**
 * charge-payment served by the plain payment service at `PAYMENT_PLAIN_GRPC_URL` (default
 * `localhost:50061`): `Charge` runs it, `Refund` undoes it. The booking's payment fault becomes a declined
 * card, which the service refuses with FAILED_PRECONDITION: the task fails for good, as `PaymentTasks` does.
 */
export const ChargePaymentRelay = grpcTask(Booking.task.chargePayment, {
  service: PaymentService,
  address: () => process.env.PAYMENT_PLAIN_GRPC_URL ?? 'localhost:50061',
  run: {
    method: 'Charge',
    request: (cmd) => ({
      orderId: cmd.orderId,
      amount: cmd.quantity * UNIT_PRICE,
      cardToken: injectedFault(cmd.faults) === 'payment' ? DECLINED_CARD : TEST_CARD,
    }),
    response: (reply: { paymentId: string; amount: number }) => ({
      paymentId: reply.paymentId,
      amount: reply.amount,
    }),
  },
  // With outcome unknown there is no payment id: the service refunds by order, and voids an order it never
  // charged, so that a charge arriving after the refund is refused.
  compensate: { method: 'Refund', request: (ctx) => ({ orderId: ctx.input.orderId }) },
});
