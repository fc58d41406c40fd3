import { PlainPaymentServer } from '@dta/booking/payment-plain';

/**
 * The payment service as it exists without DTA: a plain grpc-js server of `payment.PaymentService`
 * (proto/payment.proto) on `PAYMENT_PLAIN_PORT` (default 50061). It imports nothing of @dta/saga; the
 * booking reaches it through the relay (`relay.main.ts`).
 */
async function main(): Promise<void> {
  const server = new PlainPaymentServer(process.env.PAYMENT_PROTO_PATH);
  const port = await server.start(`0.0.0.0:${process.env.PAYMENT_PLAIN_PORT ?? '50061'}`);
  console.log(`payment.PaymentService listening on port ${port}`);
  const stop = (): void => void server.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
