import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  Booking,
  type Charged,
  type Order,
  type OrderCreated,
  orderKey,
  type Payment,
  paymentKey,
  type Reserved,
  type StockLevel,
} from '@dta/booking';
import {
  SAGA_STORE,
  SAGA_TRANSPORT,
  type SagaStatusView,
  type SagaStore,
  type SagaTransport,
} from '@dta/saga';
import {
  UUID,
  PRODUCT_ID_MESSAGE,
  QUANTITY_MESSAGE,
  FAULT_INJECT_MESSAGE,
  AMQP_URL,
  NATS_URL,
  REDIS_URL,
  REDIS_CLUSTER_NODES,
  INFRAS,
  NATS_INFRA,
  REDIS_CLUSTER_INFRA,
} from './support/e2e-infra';
import { startStandaloneApp } from './support/standalone-app';
import { deleteBrokerTopology, deleteStoreKeys } from './support/infra-cleanup';

jest.setTimeout(30_000);

const INITIAL_STOCK = 20;
const ALL_TASKS = ['create-order', 'charge-payment', 'reserve-stock', 'confirm-order'];

/** Any answer of `POST /bookings`: completed (201), rolled back (409) or refused (400). */
interface BookingResponseBody {
  sagaId: string;
  traceId: string;
  status: string;
  result: {
    'create-order': OrderCreated;
    'charge-payment': Charged;
    'reserve-stock': Reserved;
    'confirm-order': null;
  };
  failedStep: string;
  failedTask: string;
  error: string;
  compensated: string[];
  statusCode: number;
  message: string[];
}

describe.each([...INFRAS, NATS_INFRA, REDIS_CLUSTER_INFRA])('bookings over $name', ({ transport, store }) => {
  const run = randomBytes(4).toString('hex');
  const prefix = `dta-e2e-${run}`;
  const instanceId = `${prefix}-gateway`;
  let app: INestApplication;
  let close: (() => Promise<void>) | undefined;
  let http: App;
  let sagaStore: SagaStore;
  let products = 0;

  /** A product no other test touched: its stock starts at INITIAL_STOCK. */
  const newProduct = (): string => `p-${run}-${++products}`;

  beforeAll(async () => {
    ({ app, close } = await startStandaloneApp({
      SAGA_TRANSPORT: transport,
      SAGA_STORE: store,
      AMQP_URL,
      NATS_URL,
      REDIS_URL,
      REDIS_CLUSTER_NODES,
      SAGA_PREFIX: prefix,
      SAGA_INSTANCE_ID: instanceId,
      SAGA_WAIT_TIMEOUT_MS: '20000',
      INVENTORY_INITIAL_STOCK: String(INITIAL_STOCK),
    }));
    http = app.getHttpServer() as App;
    sagaStore = app.get<SagaStore>(SAGA_STORE);
  });

  afterAll(async () => {
    await close?.();
    const tasks = Object.values(Booking.task).map((t) => t.name);
    await deleteBrokerTopology(transport, prefix, { name: Booking.name, tasks }, [instanceId]);
    await deleteStoreKeys(store, prefix);
  });

  /** Posts a booking and checks the HTTP status it answers with. */
  const book = async (body: object, expected: number, traceId?: string) => {
    const post = request(http).post('/bookings').send(body);
    const res = await (traceId ? post.set('x-request-id', traceId) : post).expect(expected);
    return { headers: res.headers as Record<string, string>, body: res.body as BookingResponseBody };
  };
  const stock = async (productId: string) =>
    (await request(http).get(`/inventory/${productId}`).expect(200)).body as StockLevel;
  const sagaStatus = async (sagaId: string): Promise<SagaStatusView> =>
    (await request(http).get(`/sagas/${sagaId}`).expect(200)).body as SagaStatusView;
  const orderOf = async (orderId: string) =>
    (await sagaStore.getDocument(orderKey(orderId)))?.value as Order | undefined;
  const paymentOf = async (paymentId: string) =>
    (await sagaStore.getDocument(paymentKey(paymentId)))?.value as Payment | undefined;
  /** Tasks of a saga whose compensation ran to success. */
  const compensatedTasks = (status: SagaStatusView) =>
    status.steps.flatMap((s) =>
      s.tasks.filter((t) => t.compensation?.status === 'succeeded').map((t) => t.name),
    );

  it('runs on the transport and store it was configured with', () => {
    const expected = {
      transport: { memory: 'MemoryTransport', rabbitmq: 'RabbitMqTransport', nats: 'NatsTransport' }[
        transport
      ],
      store: store === 'memory' ? 'MemorySagaStore' : 'RedisSagaStore',
    };
    expect({
      transport: app.get<SagaTransport>(SAGA_TRANSPORT).constructor.name,
      store: sagaStore.constructor.name,
    }).toEqual(expected);
  });

  it('completes a booking: 201 with the outputs, every step succeeded, the stock reserved', async () => {
    const productId = newProduct();
    expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK, reserved: 0 });

    const res = await book({ productId, quantity: 3 }, 201);

    expect(res.body).toMatchObject({ sagaId: expect.stringMatching(UUID), status: 'completed' });
    const { orderId } = res.body.result['create-order'];
    expect(orderId).toEqual(expect.any(String));
    expect(res.body.result['charge-payment']).toEqual({ paymentId: expect.any(String), amount: 30 });
    expect(res.body.result['reserve-stock']).toMatchObject({ productId, quantity: 3 });

    const status = await sagaStatus(res.body.sagaId);
    expect(status).toMatchObject({
      id: res.body.sagaId,
      flow: 'booking',
      status: 'completed',
      traceId: res.body.traceId,
    });
    expect(status.steps.map((s) => [s.name, s.status])).toEqual([
      ['order', 'succeeded'],
      ['payment-and-stock', 'succeeded'],
      ['confirm', 'succeeded'],
    ]);
    expect(status.steps.flatMap((s) => s.tasks.map((t) => [t.name, t.status, t.attempts]))).toEqual(
      ALL_TASKS.map((name) => [name, 'succeeded', 1]),
    );
    expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK - 3, reserved: 3 });
    expect(await orderOf(orderId)).toEqual({ orderId, productId, quantity: 3, status: 'confirmed' });
    expect(await paymentOf(res.body.result['charge-payment'].paymentId)).toMatchObject({
      orderId,
      status: 'charged',
    });
  });

  it('books one unit when quantity is left out', async () => {
    const productId = newProduct();
    const res = await book({ productId }, 201);
    expect(res.body.result['create-order']).toMatchObject({ productId, quantity: 1 });
    expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK - 1, reserved: 1 });
  });

  it('rolls back a booking whose payment fails (faultInject: true): 409, order cancelled, stock restored', async () => {
    const productId = newProduct();
    const res = await book({ productId, quantity: 2, faultInject: true }, 409);

    expect(res.body).toMatchObject({
      sagaId: expect.stringMatching(UUID),
      status: 'compensated',
      failedStep: 'payment-and-stock',
      failedTask: 'charge-payment',
      error: 'fault injected into charge-payment',
      details: { faultInject: 'payment' },
    });
    expect(res.body.compensated).toContain('create-order');
    expect(res.body.compensated).not.toContain('charge-payment');

    const status = await sagaStatus(res.body.sagaId);
    expect(status.status).toBe('compensated');
    expect(status.failure).toMatchObject({
      step: 'payment-and-stock',
      task: 'charge-payment',
      error: { details: { faultInject: 'payment' } },
    });
    // Whatever reserve-stock had done when the payment failed, it was undone (and reported as such).
    expect([...res.body.compensated].sort()).toEqual(compensatedTasks(status).sort());
    const reserve = status.steps[1].tasks.find((t) => t.name === 'reserve-stock');
    if (reserve?.status === 'succeeded') expect(res.body.compensated).toContain('reserve-stock');
    expect(status.steps[2]).toMatchObject({ name: 'confirm', status: 'pending' });

    expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK, reserved: 0 });
    const orderId = status.steps[0].tasks[0].output as { orderId: string };
    expect(await orderOf(orderId.orderId)).toMatchObject({ status: 'cancelled' });
  });

  it("compensates every earlier task when the confirmation fails (faultInject: 'confirm')", async () => {
    const productId = newProduct();
    const res = await book({ productId, quantity: 4, faultInject: 'confirm' }, 409);

    expect(res.body).toMatchObject({
      status: 'compensated',
      failedStep: 'confirm',
      failedTask: 'confirm-order',
    });
    expect([...res.body.compensated].sort()).toEqual(['charge-payment', 'create-order', 'reserve-stock']);

    const status = await sagaStatus(res.body.sagaId);
    expect(status.steps.map((s) => [s.name, s.status])).toEqual([
      ['order', 'compensated'],
      ['payment-and-stock', 'compensated'],
      ['confirm', 'failed'],
    ]);
    const outputs = Object.fromEntries(status.steps.flatMap((s) => s.tasks.map((t) => [t.name, t.output])));
    const { orderId } = outputs['create-order'] as { orderId: string };
    const { paymentId } = outputs['charge-payment'] as { paymentId: string };
    expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK, reserved: 0 });
    expect(await orderOf(orderId)).toMatchObject({ status: 'cancelled' });
    expect(await paymentOf(paymentId)).toMatchObject({ orderId, amount: 40, status: 'refunded' });
  });

  it("rolls back when the reservation fails (faultInject: 'inventory'): payment refunded or never made", async () => {
    const productId = newProduct();
    const res = await book({ productId, quantity: 5, faultInject: 'inventory' }, 409);

    expect(res.body).toMatchObject({
      status: 'compensated',
      failedStep: 'payment-and-stock',
      failedTask: 'reserve-stock',
    });
    expect(res.body.compensated).toContain('create-order');
    expect(res.body.compensated).not.toContain('reserve-stock');

    const status = await sagaStatus(res.body.sagaId);
    expect([...res.body.compensated].sort()).toEqual(compensatedTasks(status).sort());
    expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK, reserved: 0 });
    const { orderId } = status.steps[0].tasks[0].output as { orderId: string };
    expect(await orderOf(orderId)).toMatchObject({ status: 'cancelled' });
    const charge = status.steps[1].tasks.find((t) => t.name === 'charge-payment');
    const paymentId = (charge?.output as { paymentId?: string } | undefined)?.paymentId;
    if (paymentId) expect(await paymentOf(paymentId)).toMatchObject({ status: 'refunded' });
  });

  it('rolls back a booking of more than is in stock, with the reason', async () => {
    const productId = newProduct();
    const res = await book({ productId, quantity: INITIAL_STOCK + 1 }, 409);

    expect(res.body).toMatchObject({ status: 'compensated', failedTask: 'reserve-stock' });
    expect(res.body.error).toBe(
      `out of stock: ${INITIAL_STOCK + 1} x ${productId} requested, ${INITIAL_STOCK} available`,
    );
    expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK, reserved: 0 });
  });

  describe('refuses a bad body with 400, one message per bad field, and starts nothing', () => {
    let sendStart: jest.SpyInstance;

    beforeEach(() => {
      sendStart = jest.spyOn(app.get<SagaTransport>(SAGA_TRANSPORT), 'sendStart');
    });
    afterEach(() => sendStart.mockRestore());

    it.each([
      ['a missing productId', { quantity: 1 }, [PRODUCT_ID_MESSAGE]],
      ['a productId that cannot be a key', { productId: 'a b{c}' }, [PRODUCT_ID_MESSAGE]],
      ['quantity 0', { quantity: 0 }, [QUANTITY_MESSAGE]],
      ['quantity null', { quantity: null }, [QUANTITY_MESSAGE]],
      ["quantity 'x'", { quantity: 'x' }, [QUANTITY_MESSAGE]],
      ['quantity 1.5', { quantity: 1.5 }, [QUANTITY_MESSAGE]],
      ["faultInject 'nope'", { faultInject: 'nope' }, [FAULT_INJECT_MESSAGE]],
      ['an unknown field', { coupon: 'FREE' }, ['property coupon should not exist']],
    ])('%s', async (name, fields, messages) => {
      const productId = newProduct();
      const body = name === 'a missing productId' ? fields : { productId, ...fields };

      const res = await book(body, 400);

      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect([...res.body.message].sort()).toEqual([...messages].sort());
      expect(sendStart).not.toHaveBeenCalled();
      expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK, reserved: 0 });
    });

    it('several bad fields at once, one message each', async () => {
      const res = await book({ productId: '', quantity: 0, faultInject: 7 }, 400);
      expect([...res.body.message].sort()).toEqual([
        FAULT_INJECT_MESSAGE,
        PRODUCT_ID_MESSAGE,
        QUANTITY_MESSAGE,
      ]);
      expect(sendStart).not.toHaveBeenCalled();
    });

    it('malformed JSON, still echoing x-request-id', async () => {
      const res = await request(http)
        .post('/bookings')
        .set('content-type', 'application/json')
        .set('x-request-id', 'bad-json-1')
        .send('{"productId": ')
        .expect(400);
      expect(res.headers['x-request-id']).toBe('bad-json-1');
      expect(sendStart).not.toHaveBeenCalled();
    });

    it.each([
      ['text/plain', 'productId=x'],
      ['application/x-www-form-urlencoded', 'productId=x&quantity=1'],
    ])('a %s body', async (contentType, payload) => {
      const res = await request(http)
        .post('/bookings')
        .set('content-type', contentType)
        .send(payload)
        .expect(400);
      expect(res.body.message).toEqual([
        'the body must be a JSON object sent with Content-Type: application/json',
      ]);
      expect(sendStart).not.toHaveBeenCalled();
    });

    it('a JSON body that is not an object', async () => {
      await request(http).post('/bookings').set('content-type', 'application/json').send('[1,2]').expect(400);
      expect(sendStart).not.toHaveBeenCalled();
    });
  });

  describe('trace id', () => {
    it('echoes x-request-id and uses it as the saga trace id', async () => {
      const traceId = `trace-${run}-ok`;
      const res = await book({ productId: newProduct() }, 201, traceId);
      expect(res.headers['x-request-id']).toBe(traceId);
      expect(res.body.traceId).toBe(traceId);

      const statusRes = await request(http)
        .get(`/sagas/${res.body.sagaId}`)
        .set('x-request-id', traceId)
        .expect(200);
      expect(statusRes.body.traceId).toBe(traceId);
      expect(statusRes.headers['x-request-id']).toBe(traceId);
    });

    it('generates a UUID when the header is absent, and echoes it', async () => {
      const res = await book({ productId: newProduct() }, 201);
      expect(res.headers['x-request-id']).toMatch(UUID);
      expect(res.body.traceId).toBe(res.headers['x-request-id']);
      expect((await sagaStatus(res.body.sagaId)).traceId).toBe(res.body.traceId);
    });

    it('echoes it on a 409 and a 400 too', async () => {
      const rolledBack = await book(
        { productId: newProduct(), faultInject: 'payment' },
        409,
        `trace-${run}-409`,
      );
      expect(rolledBack.headers['x-request-id']).toBe(`trace-${run}-409`);
      expect(rolledBack.body.traceId).toBe(`trace-${run}-409`);
      expect((await sagaStatus(rolledBack.body.sagaId)).traceId).toBe(`trace-${run}-409`);

      const invalid = await book({ quantity: 0 }, 400, `trace-${run}-400`);
      expect(invalid.headers['x-request-id']).toBe(`trace-${run}-400`);
    });

    it('replaces a malformed header with a fresh UUID', async () => {
      const res = await book({ productId: newProduct() }, 201, 'not a valid id {with braces}');
      expect(res.body.traceId).toMatch(UUID);
      expect(res.headers['x-request-id']).toBe(res.body.traceId);
    });
  });

  describe('modes', () => {
    const post = (mode: string, body: object, traceId?: string) => {
      const req = request(http).post(`/bookings?mode=${mode}`).send(body);
      return traceId ? req.set('x-request-id', traceId) : req;
    };

    it('async: 202 with the saga id and its status URL at once; the saga completes', async () => {
      const productId = newProduct();
      const res = await post('async', { productId, quantity: 2 }).expect(202);
      expect(res.body).toEqual({
        sagaId: expect.stringMatching(UUID),
        traceId: res.headers['x-request-id'],
        statusUrl: `/sagas/${res.body.sagaId}`,
      });
      expect(res.headers.location).toBe(res.body.statusUrl);
      const sagaId = (res.body as { sagaId: string }).sagaId;
      const deadline = Date.now() + 10_000;
      let status = await sagaStatus(sagaId);
      while (status.status !== 'completed' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        status = await sagaStatus(sagaId);
      }
      expect(status.status).toBe('completed');
      expect(await stock(productId)).toMatchObject({ available: INITIAL_STOCK - 2, reserved: 2 });
    });

    it('throttled: the caller waits like sync and gets the outcome', async () => {
      const done = await post('throttled', { productId: newProduct() }).expect(201);
      expect(done.body.status).toBe('completed');
      const undone = await post('throttled', { productId: newProduct(), faultInject: true }).expect(409);
      expect(undone.body).toMatchObject({ status: 'compensated', failedTask: 'charge-payment' });
    });

    it('refuses an unknown mode and a callback URL outside async mode, or a bad one', async () => {
      expect((await post('fast', { productId: newProduct() }).expect(400)).body.message).toEqual([
        'mode must be one of sync, async, throttled',
      ]);
      const callbackUrl = 'http://127.0.0.1:9/hook';
      expect((await post('sync', { productId: newProduct(), callbackUrl }).expect(400)).body.message).toEqual(
        ['callbackUrl is only accepted with mode=async'],
      );
      expect(
        (await post('async', { productId: newProduct(), callbackUrl: 'ftp://x' }).expect(400)).body.message,
      ).toEqual(['callbackUrl must be an http or https URL']);
      // This app allows no callback host: every callback URL is refused, nothing is started.
      const evil = { productId: newProduct(), callbackUrl: 'http://evil.test/x' };
      expect((await post('async', evil).expect(400)).body.message).toEqual([
        'callbackUrl is not accepted: this server sends no callbacks (no callback hosts configured)',
      ]);
    });

    it('a repeated x-request-id returns the same saga and books once', async () => {
      const productId = newProduct();
      const traceId = `idem-${run}`;
      const [first, second] = await Promise.all([
        book({ productId, quantity: 3 }, 201, traceId),
        book({ productId, quantity: 3 }, 201, traceId),
      ]);
      const third = await post('async', { productId, quantity: 3 }, traceId).expect(202);
      expect(second.body.sagaId).toBe(first.body.sagaId);
      expect(third.body.sagaId).toBe(first.body.sagaId);
      expect(await stock(productId)).toMatchObject({ available: INITIAL_STOCK - 3, reserved: 3 });
    });

    it('refuses a repeated x-request-id with another body (422), starting nothing', async () => {
      const productId = newProduct();
      const traceId = `idem-422-${run}`;
      const first = await book({ productId, quantity: 2 }, 201, traceId);
      const refused = await post('sync', { productId, quantity: 5 }, traceId).expect(422);
      expect(refused.body).toEqual({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: expect.stringContaining('already used for a'),
      });
      // Key order does not make another body.
      const again = await post('sync', { quantity: 2, productId }, traceId).expect(201);
      expect(again.body.sagaId).toBe(first.body.sagaId);
      expect(await stock(productId)).toMatchObject({ available: INITIAL_STOCK - 2, reserved: 2 });
    });
  });

  it('answers 404 for an unknown saga id', async () => {
    const res = await request(http).get('/sagas/unknown').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('answers 400 for a product id that cannot be one', async () => {
    await request(http).get('/inventory/bad%7Bid%7D').expect(400);
  });
});
