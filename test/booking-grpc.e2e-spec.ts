import type { INestApplication } from '@nestjs/common';
import { Metadata, status } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { Booking, type BookingResponse, type StockLevel } from '@dta/booking';
import {
  SAGA_TRANSPORT,
  SagaClient,
  SagaStalledError,
  type SagaTransport,
  SagaWaitExceededError,
} from '@dta/saga';
import { deleteRabbitMqTopology, deleteRedisKeys } from './support/infra-cleanup';
import {
  UUID,
  PRODUCT_ID_MESSAGE,
  QUANTITY_MESSAGE,
  FAULT_INJECT_MESSAGE,
  AMQP_URL,
  REDIS_URL,
  INFRAS,
  freePort,
} from './support/e2e-infra';
import { startStandaloneApp } from './support/standalone-app';
import { GrpcTestClient, reflect } from './support/grpc-client';

jest.setTimeout(30_000);

const INITIAL_STOCK = 20;
const PROTO_PATH = 'proto/booking.proto';

describe.each(INFRAS)('gRPC BookingService over $name', ({ transport, store }) => {
  const run = randomBytes(4).toString('hex');
  const prefix = `dta-grpc-${run}`;
  const instanceId = `${prefix}-gateway`;
  let app: INestApplication;
  let close: (() => Promise<void>) | undefined;
  let address: string;
  let client: GrpcTestClient;
  let products = 0;

  /** A product no other test touched: its stock starts at INITIAL_STOCK. */
  const newProduct = (): string => `g-${run}-${++products}`;

  beforeAll(async () => {
    const port = await freePort();
    address = `127.0.0.1:${port}`;
    ({ app, close } = await startStandaloneApp(
      {
        SAGA_TRANSPORT: transport,
        SAGA_STORE: store,
        AMQP_URL,
        REDIS_URL,
        SAGA_PREFIX: prefix,
        SAGA_INSTANCE_ID: instanceId,
        SAGA_WAIT_TIMEOUT_MS: '20000',
        INVENTORY_INITIAL_STOCK: String(INITIAL_STOCK),
        GRPC_PORT: String(port),
      },
      { grpc: true },
    ));
    client = GrpcTestClient.of(PROTO_PATH, 'pb.BookingService', address);
  });

  afterAll(async () => {
    client?.close();
    await close?.();
    if (transport === 'rabbitmq') {
      const tasks = Object.values(Booking.task).map((t) => t.name);
      await deleteRabbitMqTopology(AMQP_URL, prefix, { name: Booking.name, tasks }, instanceId);
    }
    if (store === 'redis') await deleteRedisKeys(REDIS_URL, prefix);
  });

  const book = (method: string, body: object, traceId?: string) =>
    client.unary<BookingResponse>(method, body, traceId ? { 'x-request-id': traceId } : {});
  const getBooking = (sagaId: string) => client.unary<BookingResponse>('GetBooking', { SagaID: sagaId });
  const stock = async (productId: string) =>
    (
      await request(app.getHttpServer() as App)
        .get(`/inventory/${productId}`)
        .expect(200)
    ).body as StockLevel;
  const traceIdOf = (metadata: Metadata) => metadata.get('x-request-id')[0];

  it('takes x-request-id as the idempotency key, as REST does: same saga, booked once; another body is ALREADY_EXISTS', async () => {
    const productId = newProduct();
    const traceId = `grpc-${run}-idem`;
    const body = { ProductID: productId, Quantity: 2 };
    const first = await book('HandleSyncBooking', body, traceId);
    const second = await book('HandleSyncBooking', body, traceId);
    expect(first.error).toBeUndefined();
    expect(second.response?.SagaID).toBe(first.response?.SagaID);
    expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK - 2, reserved: 2 });
    const other = await book('HandleSyncBooking', { ...body, Quantity: 3 }, traceId);
    expect(other.error?.code).toBe(status.ALREADY_EXISTS);
    const fresh = await book('HandleSyncBooking', body);
    expect(fresh.response?.SagaID).not.toBe(first.response?.SagaID);
  });

  it('accepts a CallbackURL in async mode only, and refuses one that is not a URL', async () => {
    const sync = await book('HandleSyncBooking', {
      ProductID: newProduct(),
      CallbackURL: 'http://127.0.0.1:9/x',
    });
    expect(sync.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(sync.error?.details).toContain('CallbackURL is only accepted by HandleAsyncBooking');
    const bad = await book('HandleAsyncBooking', { ProductID: newProduct(), CallbackURL: 'ftp://x' });
    expect(bad.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.error?.details).toContain('callbackUrl must be an http or https URL');
  });

  it('runs a booking (HandleSyncBooking): completed, with order and payment ids and the caller trace id', async () => {
    const productId = newProduct();
    const traceId = `grpc-${run}-sync`;

    const answer = await book('HandleSyncBooking', { ProductID: productId, FaultInject: 'false' }, traceId);

    expect(answer.error).toBeUndefined();
    expect(answer.response).toEqual({
      SagaID: expect.stringMatching(UUID),
      TraceID: traceId,
      Status: 'completed',
      OrderID: expect.stringMatching(/\S/),
      PaymentID: expect.stringMatching(/\S/),
      FailedStep: '',
      FailedTask: '',
      Error: '',
    });
    expect(traceIdOf(answer.metadata)).toBe(traceId);
    // Quantity 0 (unset) books one unit, as a REST body without quantity does.
    expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK - 1, reserved: 1 });

    const status = await getBooking(answer.response!.SagaID);
    expect(status.response).toEqual({ ...answer.response, Status: 'completed' });
  });

  it('books the quantity asked for, and generates a trace id when x-request-id is absent', async () => {
    const productId = newProduct();

    const answer = await book('HandleSyncBooking', { ProductID: productId, Quantity: 3 });

    expect(answer.response).toMatchObject({ Status: 'completed', TraceID: expect.stringMatching(UUID) });
    expect(traceIdOf(answer.metadata)).toBe(answer.response!.TraceID);
    expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK - 3, reserved: 3 });
  });

  it('replaces a malformed x-request-id with a fresh UUID', async () => {
    const answer = await book(
      'HandleSyncBooking',
      { ProductID: newProduct() },
      'not a valid id {with braces}',
    );

    expect(answer.response?.TraceID).toMatch(UUID);
    expect(traceIdOf(answer.metadata)).toBe(answer.response?.TraceID);
  });

  it('answers ABORTED naming step, task and error when the payment fails (FaultInject "true")', async () => {
    const productId = newProduct();
    const traceId = `grpc-${run}-aborted`;

    const answer = await book(
      'HandleSyncBooking',
      { ProductID: productId, Quantity: 2, FaultInject: 'true' },
      traceId,
    );

    expect(answer.error?.code).toBe(status.ABORTED);
    expect(answer.error?.details).toContain("task 'charge-payment' of step 'payment-and-stock' failed");
    expect(answer.error?.details).toContain('fault injected into charge-payment');
    expect(traceIdOf(answer.metadata)).toBe(traceId);
    const sagaId = answer.error!.metadata.get('x-saga-id')[0] as string;
    expect(sagaId).toMatch(UUID);
    const details = answer.error!.metadata.get('x-failure-details')[0] as string;
    expect(JSON.parse(details)).toEqual({ faultInject: 'payment' });
    expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK, reserved: 0 });

    const rolledBack = await getBooking(sagaId);
    expect(rolledBack.response).toMatchObject({
      SagaID: sagaId,
      TraceID: traceId,
      Status: 'compensated',
      OrderID: expect.stringMatching(/\S/),
      FailedStep: 'payment-and-stock',
      FailedTask: 'charge-payment',
      Error: 'fault injected into charge-payment',
    });
  });

  it('answers ABORTED when the confirmation fails (FaultInject "confirm")', async () => {
    const productId = newProduct();

    const answer = await book('HandleSyncBooking', {
      ProductID: productId,
      Quantity: 4,
      FaultInject: 'confirm',
    });

    expect(answer.error?.code).toBe(status.ABORTED);
    expect(answer.error?.details).toContain("task 'confirm-order' of step 'confirm' failed");
    expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK, reserved: 0 });
  });

  describe('refuses bad input with INVALID_ARGUMENT, one message per bad field, and starts nothing', () => {
    let sendStart: jest.SpyInstance;

    beforeEach(() => {
      sendStart = jest.spyOn(app.get<SagaTransport>(SAGA_TRANSPORT), 'sendStart');
    });
    afterEach(() => sendStart.mockRestore());

    it.each([
      ['an empty ProductID', { ProductID: '' }, [PRODUCT_ID_MESSAGE]],
      ['Quantity -1', { Quantity: -1 }, [QUANTITY_MESSAGE]],
      ['FaultInject "nope"', { FaultInject: 'nope' }, [FAULT_INJECT_MESSAGE]],
      [
        'all three at once',
        { ProductID: '', Quantity: -1, FaultInject: 'nope' },
        [FAULT_INJECT_MESSAGE, PRODUCT_ID_MESSAGE, QUANTITY_MESSAGE],
      ],
    ])('%s', async (_name, fields, messages) => {
      const productId = newProduct();

      const answer = await book('HandleSyncBooking', { ProductID: productId, ...fields }, `grpc-${run}-400`);

      expect(answer.error?.code).toBe(status.INVALID_ARGUMENT);
      for (const message of messages) expect(answer.error?.details).toContain(message);
      const violations = answer.error!.metadata.get('x-field-violation-bin').map(String);
      expect(violations.sort()).toEqual(messages);
      expect(traceIdOf(answer.metadata)).toBe(`grpc-${run}-400`);
      expect(sendStart).not.toHaveBeenCalled();
      expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK, reserved: 0 });
    });
  });

  it('starts a booking (HandleAsyncBooking): running at once, then GetBooking shows it completed', async () => {
    const traceId = `grpc-${run}-async`;

    const answer = await book('HandleAsyncBooking', { ProductID: newProduct(), Quantity: 2 }, traceId);

    expect(answer.response).toMatchObject({
      SagaID: expect.stringMatching(UUID),
      TraceID: traceId,
      Status: 'running',
    });
    let current: BookingResponse | undefined;
    for (let polls = 0; polls < 200 && current?.Status !== 'completed'; polls++) {
      if (polls > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      current = (await getBooking(answer.response!.SagaID)).response;
    }
    expect(current).toMatchObject({
      SagaID: answer.response!.SagaID,
      TraceID: traceId,
      Status: 'completed',
      OrderID: expect.stringMatching(/\S/),
      PaymentID: expect.stringMatching(/\S/),
    });
  });

  it('runs a throttled booking (HandleThrottledBooking) to completion', async () => {
    const productId = newProduct();

    const answer = await book(
      'HandleThrottledBooking',
      { ProductID: productId, Quantity: 2 },
      `grpc-${run}-thr`,
    );

    expect(answer.response).toMatchObject({ Status: 'completed', TraceID: `grpc-${run}-thr` });
    expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK - 2, reserved: 2 });
  });

  it('answers OK with status running and the saga id when the wait runs out (the saga goes on)', async () => {
    const sagas = app.get(SagaClient);
    const outcome = {
      sagaId: 'c0ffee00-0000-4000-8000-000000000001',
      traceId: `grpc-${run}-wait`,
      flow: 'booking',
    };
    jest
      .spyOn(sagas, 'run')
      .mockRejectedValueOnce(new SagaWaitExceededError(outcome, 20_000, 'wait exceeded'));

    const answer = await book('HandleSyncBooking', { ProductID: newProduct() }, outcome.traceId);

    expect(answer.response).toMatchObject({
      SagaID: outcome.sagaId,
      TraceID: outcome.traceId,
      Status: 'running',
    });
  });

  it('answers INTERNAL for a saga stalled in compensation', async () => {
    const sagas = app.get(SagaClient);
    const outcome = {
      sagaId: 'c0ffee00-0000-4000-8000-000000000002',
      traceId: `grpc-${run}-stall`,
      flow: 'booking',
    };
    const failure = {
      step: 'payment-and-stock',
      task: 'charge-payment',
      error: { message: 'card declined' },
    };
    jest.spyOn(sagas, 'run').mockRejectedValueOnce(new SagaStalledError(outcome, failure, []));

    const answer = await book('HandleThrottledBooking', { ProductID: newProduct() });

    expect(answer.error?.code).toBe(status.INTERNAL);
    expect(answer.error?.details).toContain('waits for an operator');
    expect(answer.error?.details).toContain(
      "Task 'charge-payment' of step 'payment-and-stock' failed (card declined)",
    );
    expect(answer.error?.metadata.get('x-saga-id')).toEqual([outcome.sagaId]);
  });

  it('answers NOT_FOUND for an unknown saga id (GetBooking)', async () => {
    const answer = await getBooking('c0ffee00-0000-4000-8000-00000000dead');
    expect(answer.error?.code).toBe(status.NOT_FOUND);
  });

  it('serves reflection: lists pb.BookingService and describes it, as grpcurl asks', async () => {
    const listed = await reflect<{ list_services_response: { service: { name: string }[] } }>(address, {
      list_services: '',
    });
    expect(listed.list_services_response.service.map((s) => s.name)).toContain('pb.BookingService');

    const described = await reflect<{ file_descriptor_response: { file_descriptor_proto: Buffer[] } }>(
      address,
      {
        file_containing_symbol: 'pb.BookingService',
      },
    );
    const files = Buffer.concat(described.file_descriptor_response.file_descriptor_proto).toString('latin1');
    for (const rpc of ['HandleSyncBooking', 'HandleAsyncBooking', 'HandleThrottledBooking', 'GetBooking']) {
      expect(files).toContain(rpc);
    }
  });
});
