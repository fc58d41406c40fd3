import type { INestApplication } from '@nestjs/common';
import { status as grpcStatus } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import type { StockLevel } from '@dta/booking';
import type { SagaStatusView } from '@dta/saga';
import type { SagaAdminGrpcSaga } from '@dta/saga/grpc';
import { freePort, INFRAS } from './support/e2e-infra';
import { GrpcTestClient, reflect } from './support/grpc-client';
import { startBookingApp, startStandaloneApp } from './support/standalone-app';

jest.setTimeout(30_000);

const TOKEN = 'e2e-operator-token-0123456789';
const INITIAL_STOCK = 20;
const ADMIN_PROTO = 'proto/saga.proto';

describe.each(INFRAS)('operator API over $name', (infra) => {
  const run = randomBytes(4).toString('hex');
  const prefix = `dta-admin-${run}`;
  let app: INestApplication;
  let close: (() => Promise<void>) | undefined;
  let http: App;
  let grpc: GrpcTestClient;
  let address: string;
  let products = 0;
  const newProduct = (): string => `adm-${run}-${++products}`;

  beforeAll(async () => {
    const port = await freePort();
    address = `127.0.0.1:${port}`;
    ({ app, close } = await startBookingApp(
      infra,
      prefix,
      {
        SAGA_ADMIN_TOKEN: TOKEN,
        GRPC_PORT: String(port),
        SAGA_WAIT_TIMEOUT_MS: '10000',
        INVENTORY_INITIAL_STOCK: String(INITIAL_STOCK),
      },
      { grpc: true },
    ));
    http = app.getHttpServer() as App;
    grpc = GrpcTestClient.of(ADMIN_PROTO, 'dta.SagaAdmin', address);
  });

  afterAll(async () => {
    grpc?.close();
    await close?.();
  });

  const auth = { authorization: `Bearer ${TOKEN}` };
  const adminGet = (path: string) => request(http).get(`/admin/sagas${path}`).set(auth);
  const adminPost = (path: string, body: object, operator = 'alice') =>
    request(http).post(`/admin/sagas${path}`).set(auth).set('x-operator', operator).send(body);
  const book = (body: object, mode = 'sync') =>
    request(http).post(`/bookings?mode=${mode}`).set('x-request-id', `adm-${run}-${++products}`).send(body);
  const stock = async (productId: string) =>
    (await request(http).get(`/inventory/${productId}`).expect(200)).body as StockLevel;

  /** The saga's operator view once it reaches `status` (polled; fails with the last view after 10 s). */
  async function settled(sagaId: string, status: string): Promise<SagaStatusView> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const view = (await adminGet(`/${sagaId}`).expect(200)).body as SagaStatusView;
      if (view.status === status || Date.now() > deadline) {
        expect(view).toMatchObject({ id: sagaId, status });
        return view;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  describe('auth', () => {
    it('refuses REST calls without a token, with another scheme or with a wrong one: 401 + WWW-Authenticate', async () => {
      for (const authorization of [
        undefined,
        `Basic ${TOKEN}`,
        'Bearer wrong-token-wrong-token',
        `Bearer ${TOKEN}x`,
      ]) {
        const call = request(http).get('/admin/sagas/whatever');
        const response = await (authorization ? call.set('authorization', authorization) : call);
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer');
      }
    });

    it('checks the token before the input: a bad body without a token is 401, not 400', async () => {
      await request(http).post('/admin/sagas/x/resume').send({}).expect(401);
    });

    it('refuses gRPC calls without a token or with a wrong one: UNAUTHENTICATED', async () => {
      for (const metadata of [{}, { authorization: 'Bearer wrong-token-wrong-token' }] as Record<
        string,
        string
      >[]) {
        const answer = await grpc.unary('GetSaga', { saga_id: 'whatever' }, metadata);
        expect(answer.error?.code).toBe(grpcStatus.UNAUTHENTICATED);
      }
    });

    it('lists dta.SagaAdmin beside pb.BookingService in server reflection', async () => {
      const answer = await reflect<{ list_services_response?: { service: { name: string }[] } }>(address, {
        list_services: '',
      });
      const names = answer.list_services_response?.service.map((s) => s.name);
      expect(names).toEqual(expect.arrayContaining(['dta.SagaAdmin', 'pb.BookingService']));
    });
  });

  describe('reading', () => {
    it('shows a saga in full (timeline, history), and 404 for an unknown id', async () => {
      const booked = await book({ productId: newProduct() }).expect(201);
      const sagaId = (booked.body as { sagaId: string }).sagaId;

      const view = (await adminGet(`/${sagaId}`).expect(200)).body as SagaStatusView;
      expect(view).toMatchObject({ id: sagaId, flow: 'booking', status: 'completed' });
      expect(view.timeline.length).toBeGreaterThan(0);
      expect(view.history).toEqual([]);

      await adminGet('/00000000-0000-4000-8000-000000000000').expect(404);
    });

    it('serves the same view over gRPC GetSaga, and NOT_FOUND for an unknown id', async () => {
      const booked = await book({ productId: newProduct() }).expect(201);
      const sagaId = (booked.body as { sagaId: string }).sagaId;

      const answer = await grpc.unary<SagaAdminGrpcSaga>('GetSaga', { saga_id: sagaId }, auth);
      expect(answer.response).toMatchObject({ id: sagaId, flow: 'booking', status: 'completed' });
      expect(JSON.parse(answer.response!.view_json)).toMatchObject({ id: sagaId, status: 'completed' });

      const missing = await grpc.unary('GetSaga', { saga_id: 'nope' }, auth);
      expect(missing.error?.code).toBe(grpcStatus.NOT_FOUND);
    });

    it('refuses bad list parameters with one message per field (400, INVALID_ARGUMENT)', async () => {
      const response = await adminGet('/?status=lost&limit=0&from=yesterday&stalled=yes&colour=red').expect(
        400,
      );
      expect((response.body as { message: string[] }).message).toEqual(
        expect.arrayContaining([
          'status must be one of running, compensating, stalled, completed, compensated',
          'limit must be a whole number from 1 to 500',
          'from must be epoch milliseconds or an ISO-8601 time (2026-01-01T00:00:00Z)',
          'stalled must be true or false',
          'property colour should not exist',
        ]),
      );
      await adminGet('/?stalled=true&status=running').expect(400);

      const answer = await grpc.unary('ListSagas', { limit: 501 }, auth);
      expect(answer.error?.code).toBe(grpcStatus.INVALID_ARGUMENT);
      expect(answer.error?.details).toContain('limit must be a whole number from 1 to 500');
    });

    it('counts the sagas of each status over REST and gRPC, one more completed after a booking', async () => {
      type Counts = Record<'running' | 'compensating' | 'stalled' | 'completed' | 'compensated', number>;
      const counts = async () =>
        ((await adminGet('/counts?flow=booking').expect(200)).body as { counts: Counts }).counts;
      const before = await counts();
      await book({ productId: newProduct() }).expect(201);
      const after = await counts();
      expect(after).toEqual({ ...before, completed: before.completed + 1 });

      const answer = await grpc.unary<{ flow: string; counts: Record<string, string | number> }>(
        'CountSagas',
        { flow: 'booking' },
        auth,
      );
      expect(answer.response?.flow).toBe('booking');
      const overGrpc = Object.entries(answer.response?.counts ?? {}).map(([status, n]) => [
        status,
        Number(n),
      ]);
      expect(Object.fromEntries(overGrpc)).toEqual(after);
    });

    it('lists sagas by flow, trace id, status and creation time', async () => {
      // The saga's clock is the store's, a few ms off this process's: a second of slack either way.
      const before = Date.now() - 1000;
      const booked = await book({ productId: newProduct() }).expect(201);
      const { sagaId, traceId } = booked.body as { sagaId: string; traceId: string };

      const page = (await adminGet(`/?flow=booking&traceId=${traceId}&from=${before}`).expect(200)).body as {
        sagas: { id: string; status: string }[];
      };
      expect(page.sagas).toEqual([expect.objectContaining({ id: sagaId, status: 'completed' })]);
      const none = await adminGet(`/?traceId=${traceId}&status=stalled`).expect(200);
      expect((none.body as { sagas: unknown[] }).sagas).toEqual([]);
      const earlier = await adminGet(`/?traceId=${traceId}&to=${before}`).expect(200);
      expect((earlier.body as { sagas: unknown[] }).sagas).toEqual([]);
      const future = new Date(Date.now() + 60_000).toISOString();
      expect(
        ((await adminGet(`/?traceId=${traceId}&from=${future}`)).body as { sagas: unknown[] }).sagas,
      ).toEqual([]);

      const answer = await grpc.unary<{ sagas: { id: string }[] }>('ListSagas', { trace_id: traceId }, auth);
      expect(answer.response?.sagas.map((s) => s.id)).toEqual([sagaId]);
    });
  });

  describe('acting', () => {
    it('stalls a booking whose inventory compensation fails, and compensates it once the fault is cleared and it is resumed', async () => {
      const productId = newProduct();
      const booked = await book({
        productId,
        quantity: 3,
        faultInject: 'confirm',
        failCompensation: 'inventory',
      });
      expect(booked.status).toBe(500);
      const { sagaId, traceId } = booked.body as { sagaId: string; traceId: string };

      const stalled = await settled(sagaId, 'stalled');
      const listed = await adminGet(`/?stalled=true&traceId=${traceId}`).expect(200);
      expect((listed.body as { sagas: { id: string; step: string }[] }).sagas).toEqual([
        expect.objectContaining({ id: sagaId, status: 'stalled' }),
      ]);
      const reserve = stalled.steps.flatMap((s) => s.tasks).find((t) => t.name === 'reserve-stock');
      expect(reserve?.compensation?.error?.message).toContain(`DELETE /faults/${sagaId}`);
      expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK - 3, reserved: 3 });

      // While the fault is set, resuming stalls again.
      await adminPost(`/${sagaId}/resume`, { reason: 'try again' }).expect(200);
      await settled(sagaId, 'stalled');

      await request(http).delete(`/faults/${sagaId}`).expect(204);
      const resumed = await adminPost(`/${sagaId}/resume`, { reason: 'inventory fixed' }, 'bob').expect(200);
      expect((resumed.body as SagaStatusView).id).toBe(sagaId);

      const done = await settled(sagaId, 'compensated');
      expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK, reserved: 0 });
      expect(JSON.stringify(done.history)).toContain('inventory fixed');
      expect(JSON.stringify(done.history)).toContain('bob');
    });

    it('cancels a running booking: what took effect is undone', async () => {
      const productId = newProduct();
      const started = await book({ productId, quantity: 2, slowInventoryMs: 1500 }, 'async').expect(202);
      const sagaId = (started.body as { sagaId: string }).sagaId;

      await adminPost(`/${sagaId}/cancel`, { reason: 'customer called' }).expect(200);

      await settled(sagaId, 'compensated');
      expect(await stock(productId)).toEqual({ productId, available: INITIAL_STOCK, reserved: 0 });
    });

    it('refuses an action that does not apply: 409 with saga, action and status; FAILED_PRECONDITION', async () => {
      const booked = await book({ productId: newProduct() }).expect(201);
      const sagaId = (booked.body as { sagaId: string }).sagaId;

      const refused = await adminPost(`/${sagaId}/resume`, { reason: 'why not' }).expect(409);
      expect(refused.body).toMatchObject({ statusCode: 409, sagaId, action: 'resume', status: 'completed' });

      const answer = await grpc.unary('Cancel', { saga_id: sagaId, reason: 'why not' }, auth);
      expect(answer.error?.code).toBe(grpcStatus.FAILED_PRECONDITION);
    });

    it('validates bodies and the operator: reason required and bounded, JSON only, x-operator bounded', async () => {
      const booked = await book({ productId: newProduct() }).expect(201);
      const sagaId = (booked.body as { sagaId: string }).sagaId;

      const missing = await adminPost(`/${sagaId}/resume`, {}).expect(400);
      expect((missing.body as { message: string[] }).message).toEqual(['reason must be a string']);
      await adminPost(`/${sagaId}/cancel`, { reason: 'x'.repeat(501) }).expect(400);
      await adminPost(`/${sagaId}/retry`, { reason: 'r' }).expect(400);
      await adminPost(`/${sagaId}/resume`, { reason: 'r' }, 'x'.repeat(65)).expect(400);
      await request(http)
        .post(`/admin/sagas/${sagaId}/resume`)
        .set(auth)
        .type('form')
        .send('reason=r')
        .expect(400);

      const answer = await grpc.unary('Resume', { saga_id: sagaId, reason: '' }, auth);
      expect(answer.error?.code).toBe(grpcStatus.INVALID_ARGUMENT);
    });
  });
});

describe('operator API without SAGA_ADMIN_TOKEN', () => {
  it('does not exist: REST 404, gRPC UNIMPLEMENTED, nothing in reflection', async () => {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const { app, close } = await startStandaloneApp(
      { SAGA_ADMIN_TOKEN: '', GRPC_PORT: String(port) },
      { grpc: true },
    );
    const grpc = GrpcTestClient.of(ADMIN_PROTO, 'dta.SagaAdmin', address);
    try {
      const http = app.getHttpServer() as App;
      await request(http).get('/admin/sagas').set('authorization', `Bearer ${TOKEN}`).expect(404);
      await request(http).post('/admin/sagas/x/resume').send({ reason: 'r' }).expect(404);

      const answer = await grpc.unary('GetSaga', { saga_id: 'x' }, { authorization: `Bearer ${TOKEN}` });
      expect(answer.error?.code).toBe(grpcStatus.UNIMPLEMENTED);
      const services = await reflect<{ list_services_response?: { service: { name: string }[] } }>(address, {
        list_services: '',
      });
      expect(services.list_services_response?.service.map((s) => s.name)).not.toContain('dta.SagaAdmin');
    } finally {
      grpc.close();
      await close();
    }
  });

  it('refuses a token shorter than 16 characters at bootstrap, saying how to make one', async () => {
    await expect(startStandaloneApp({ SAGA_ADMIN_TOKEN: 'short-token' })).rejects.toThrow(
      /SAGA_ADMIN_TOKEN has 11 characters; it must have at least 16/,
    );
  });
});
