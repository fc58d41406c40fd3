import type { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { status } from '@grpc/grpc-js';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import {
  Booking,
  BookingDocumentStore,
  type ChargeCmd,
  type Charged,
  type CreateBookingDto,
  BookingSagaModule,
  distributedSagaModule,
  InventoryModule,
  type Order,
  OrderModule,
  orderIdOf,
  orderKey,
} from '@dta/booking';
import { PlainPaymentServer } from '@dta/booking/payment-plain';
import { type CompensationContext, SagaClient, SagaCompensatedError } from '@dta/saga';
import { ChargePaymentRelay } from '../apps/payment-plain-service/src/charge-payment.relay';
import { PaymentRelayModule } from '../apps/payment-plain-service/src/payment-relay.module';
import { AMQP_URL, REDIS_URL, UUID } from './support/e2e-infra';
import { deleteRabbitMqTopology, deleteRedisKeys } from './support/infra-cleanup';

/*
 * The booking with its payment served by a plain gRPC service that knows nothing of DTA
 * (libs/booking/src/payment-plain): the orchestrator with the order and inventory tasks in one app, the
 * payment relay (apps/payment-plain-service, PaymentRelayModule) in another, on the RabbitMQ and Redis of
 * the test run; the plain service is a grpc-js server in this process, so that the tests read its books.
 */

jest.setTimeout(60_000);

const CHARGE_TIMEOUT_MS = 5_000;
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

/** The orchestrator, the order and inventory tasks, and a caller: everything but the payment. */
class CoreModule {}
const core = (instanceId: string): DynamicModule => ({
  module: CoreModule,
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    distributedSagaModule({ instanceId }),
    BookingSagaModule,
    OrderModule,
    InventoryModule,
  ],
});

describe('booking with a plain gRPC payment service behind a relay (RabbitMQ + Redis)', () => {
  const run = randomBytes(4).toString('hex');
  const prefix = `dta-plain-${run}`;
  const instances = { core: `${prefix}-core`, relay: `${prefix}-relay` };
  const payments = new PlainPaymentServer();
  const saved = { ...process.env };
  let app: INestApplicationContext | undefined;
  let relay: INestApplicationContext | undefined;
  let client: SagaClient;
  let products = 0;

  const newProduct = (): string => `p-${run}-${++products}`;
  const order = async (sagaId: string) =>
    app!.get(BookingDocumentStore).get<Order>(orderKey(orderIdOf(sagaId)));
  const boot = async (module: Type | DynamicModule, instanceId: string) => {
    process.env.SAGA_INSTANCE_ID = instanceId;
    const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
    moduleRef.useLogger(['error', 'warn']);
    await moduleRef.init();
    return moduleRef;
  };
  const compensated = async (input: CreateBookingDto, traceId: string): Promise<SagaCompensatedError> => {
    const error = await client.run(Booking, input, { traceId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SagaCompensatedError);
    return error as SagaCompensatedError;
  };

  beforeAll(async () => {
    const port = await payments.start('127.0.0.1:0');
    Object.assign(process.env, {
      SAGA_TRANSPORT: 'rabbitmq',
      SAGA_STORE: 'redis',
      AMQP_URL,
      REDIS_URL,
      SAGA_PREFIX: prefix,
      SAGA_WAIT_TIMEOUT_MS: '30000',
      INVENTORY_INITIAL_STOCK: '50',
      PAYMENT_PLAIN_GRPC_URL: `127.0.0.1:${port}`,
    });
    app = await boot(core(instances.core), instances.core);
    relay = await boot(PaymentRelayModule, instances.relay);
    client = app.get(SagaClient);
  });

  afterAll(async () => {
    try {
      await relay?.close();
      await app?.close();
      await payments.stop();
    } finally {
      process.env = saved;
      const tasks = Object.values(Booking.task).map((t) => t.name);
      for (const instanceId of Object.values(instances))
        await deleteRabbitMqTopology(AMQP_URL, prefix, { name: Booking.name, tasks }, instanceId);
      await deleteRedisKeys(REDIS_URL, prefix);
    }
  });

  it('completes with the payment made by the plain service, called with the saga key, trace id and a deadline', async () => {
    const traceId = `plain-${run}-ok`;
    const before = Date.now();
    const result = await client.run(Booking, { productId: newProduct(), quantity: 2 }, { traceId });
    const after = Date.now();

    expect(result).toMatchObject({ status: 'completed', sagaId: expect.stringMatching(UUID), traceId });
    const orderId = orderIdOf(result.sagaId);
    const payment = payments.ledger.payment(orderId);
    expect(payment).toMatchObject({ orderId, amount: 20, status: 'charged' });
    expect(result.result).toMatchObject({ 'charge-payment': { paymentId: payment?.paymentId, amount: 20 } });

    const calls = payments.callsFor(orderId);
    expect(calls.map((c) => c.method)).toEqual(['Charge']);
    expect(calls[0]).toMatchObject({
      idempotencyKey: `${result.sagaId}:charge-payment`,
      requestId: traceId,
      traceparent: expect.stringMatching(TRACEPARENT),
    });
    // The attempt's deadline: charge-payment's timeout from when the relay began it.
    expect(calls[0].deadline).toBeGreaterThan(calls[0].at);
    expect(calls[0].deadline).toBeGreaterThan(before);
    expect(calls[0].deadline).toBeLessThanOrEqual(after + CHARGE_TIMEOUT_MS);
    expect(await order(result.sagaId)).toMatchObject({ status: 'confirmed' });
  });

  it('a refusal of the plain service (card declined) fails the payment for good and compensates the order', async () => {
    const error = await compensated(
      { productId: newProduct(), quantity: 1, faultInject: 'payment' },
      `plain-${run}-declined`,
    );

    expect(error.failure).toMatchObject({
      task: 'charge-payment',
      error: { message: 'payment.PaymentService/Charge answered FAILED_PRECONDITION: card declined' },
    });
    expect([...error.compensated].sort()).toEqual(['create-order', 'reserve-stock']);
    expect(await order(error.sagaId)).toMatchObject({ status: 'cancelled' });
    const orderId = orderIdOf(error.sagaId);
    // Refused once, never retried, and never refunded: a refused task took no effect.
    expect(payments.callsFor(orderId).map((c) => c.method)).toEqual(['Charge']);
    expect(payments.ledger.payment(orderId)).toBeUndefined();
  });

  it('a step failing after the payment makes the relay refund it on the plain service, once even if the call is repeated', async () => {
    const error = await compensated(
      { productId: newProduct(), quantity: 3, faultInject: 'confirm' },
      `plain-${run}-refund`,
    );

    expect([...error.compensated].sort()).toEqual(['charge-payment', 'create-order', 'reserve-stock']);
    const orderId = orderIdOf(error.sagaId);
    const refunds = payments.ledger.counts().refunds;
    expect(payments.ledger.payment(orderId)).toMatchObject({ amount: 30, status: 'refunded' });
    const calls = payments.callsFor(orderId);
    expect(calls.map((c) => c.method)).toEqual(['Charge', 'Refund']);
    expect(calls[1]).toMatchObject({
      idempotencyKey: `${error.sagaId}:charge-payment:compensate`,
      requestId: `plain-${run}-refund`,
      traceparent: expect.stringMatching(TRACEPARENT),
    });
    expect(calls[1].deadline).toBeGreaterThan(calls[1].at);

    // The relay's compensation delivered again: same key, the service answers as before and refunds nothing more.
    const again: CompensationContext<ChargeCmd, Charged> = {
      sagaId: error.sagaId,
      traceId: error.traceId,
      flow: 'booking',
      step: 'payment-and-stock',
      task: 'charge-payment',
      attempt: 1,
      input: { orderId, productId: 'any', quantity: 3 },
      outcome: 'succeeded',
    };
    await relay!.get(ChargePaymentRelay).compensate(again);
    expect(payments.callsFor(orderId).map((c) => c.method)).toEqual(['Charge', 'Refund', 'Refund']);
    expect(payments.ledger.counts().refunds).toBe(refunds);
    expect(payments.ledger.payment(orderId)).toMatchObject({ status: 'refunded' });
  });

  it('an answer lost after the charge took effect is asked again with the same key: completed, charged once', async () => {
    const charges = payments.ledger.counts().charges;
    payments.disturb('Charge', { times: 1, code: status.INTERNAL });

    const result = await client.run(
      Booking,
      { productId: newProduct(), quantity: 1 },
      { traceId: `plain-${run}-lost` },
    );

    expect(result.status).toBe('completed');
    const orderId = orderIdOf(result.sagaId);
    const calls = payments.callsFor(orderId);
    expect(calls.map((c) => c.method)).toEqual(['Charge', 'Charge']);
    expect(new Set(calls.map((c) => c.idempotencyKey))).toEqual(new Set([`${result.sagaId}:charge-payment`]));
    expect(payments.ledger.counts().charges).toBe(charges + 1);
    expect(result.result).toMatchObject({
      'charge-payment': { paymentId: payments.ledger.payment(orderId)?.paymentId },
    });
  });

  it('an answer slower than the task timeout (deadline exceeded) is an unknown outcome, asked again: completed, charged once', async () => {
    const charges = payments.ledger.counts().charges;
    payments.disturb('Charge', { times: 1, delayMs: CHARGE_TIMEOUT_MS + 1_000 });

    const result = await client.run(
      Booking,
      { productId: newProduct(), quantity: 1 },
      { traceId: `plain-${run}-slow` },
    );

    expect(result.status).toBe('completed');
    const orderId = orderIdOf(result.sagaId);
    const calls = payments.callsFor(orderId);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.every((c) => c.idempotencyKey === `${result.sagaId}:charge-payment`)).toBe(true);
    expect(payments.ledger.counts().charges).toBe(charges + 1);
    expect(await order(result.sagaId)).toMatchObject({ status: 'confirmed' });
  });

  it('a charge still unanswered when a sibling fails ends with outcome unknown, and the relay refunds it', async () => {
    const refunds = payments.ledger.counts().refunds;
    payments.disturb('Charge', { times: 1, delayMs: CHARGE_TIMEOUT_MS + 1_000 });

    const error = await compensated(
      { productId: newProduct(), quantity: 2, faultInject: 'inventory' },
      `plain-${run}-unknown`,
    );

    expect(error.failure).toMatchObject({ task: 'reserve-stock' });
    expect([...error.compensated].sort()).toEqual(['charge-payment', 'create-order']);
    const view = await client.status(error.sagaId);
    const charge = view.steps.flatMap((s) => s.tasks).find((t) => t.name === 'charge-payment');
    expect(charge).toMatchObject({ compensation: { status: 'succeeded', outcome: 'unknown' } });
    // The charge took effect though its answer came too late: the refund, keyed by order, undid it.
    const orderId = orderIdOf(error.sagaId);
    expect(payments.ledger.payment(orderId)).toMatchObject({ amount: 20, status: 'refunded' });
    expect(payments.ledger.counts().refunds).toBe(refunds + 1);
    expect(payments.callsFor(orderId).filter((c) => c.method === 'Refund')).toHaveLength(1);
  });
});
