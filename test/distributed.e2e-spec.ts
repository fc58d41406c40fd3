import { type Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import type { BookingResponse } from '@dta/booking';
import { Booking } from '@dta/booking/booking.contract';
import { SagaTopology, type SagaStatusView } from '@dta/saga';
import { DistributedSystem } from './support/distributed/distributed-system';
import { CallbackReceiver } from './support/distributed/callback-receiver';
import { eventually } from './support/distributed/eventually';
import type { BookingAnswerBody, GatewayClient, HttpAnswer } from './support/distributed/gateway-client';
import {
  concurrencyByInstance,
  LifecycleEventRecorder,
} from './support/distributed/lifecycle-event-recorder';
import { NATS_URL } from './support/e2e-infra';
import { GrpcTestClient, reflect } from './support/grpc-client';
import { deleteBrokerTopology, deleteRedisKeys } from './support/infra-cleanup';

/*
 * The booking system as it is deployed: every app its own process (from the TypeScript sources), two
 * gateways, two orchestrators and two replicas of each task service, on the RabbitMQ and Redis of the test
 * run. Started once; every test talks to it over HTTP, gRPC and the broker as an outside client would.
 * DTA_E2E_LOGS=1 shows the processes' output.
 */

jest.setTimeout(60_000);

const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
/** Throttled sagas one orchestrator may run at once. */
const MAX_CONCURRENT = 3;
const INITIAL_STOCK = 1000;
/** The gateways' wait budget: a booking still running after it answers 202. */
const WAIT_MS = 20_000;
/** Ten ts-node processes on two cores take 20-30 s to come up. */
const STARTUP_MS = 100_000;
const BURST = 300;
const CONCURRENT_SYNC = 100;
const PROTO_PATH = 'proto/booking.proto';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TERMINAL = ['completed', 'compensated', 'stalled'];
const ADMIN_TOKEN = 'dist-operator-token-0123456789';

/** RabbitMQ, and NATS JetStream: the same system, the same answers. */
const BROKERS = [
  { broker: 'RabbitMQ', transport: 'rabbitmq' },
  { broker: 'NATS JetStream', transport: 'nats' },
] as const;

describe.each(BROKERS)(
  'the booking system as separate processes on $broker: 2 gateways, 2 orchestrators, 2 of each service',
  ({ transport }) => {
    const run = randomBytes(4).toString('hex');
    const prefix = `dta-dist-${run}`;
    const system = new DistributedSystem({
      prefix,
      replicas: {
        gateway: 2,
        orchestrator: 2,
        'order-service': 2,
        'payment-service': 2,
        'inventory-service': 2,
      },
      env: {
        SAGA_TRANSPORT: transport,
        SAGA_STORE: 'redis',
        AMQP_URL,
        NATS_URL,
        REDIS_URL,
        SAGA_MAX_CONCURRENT: String(MAX_CONCURRENT),
        SAGA_WAIT_TIMEOUT_MS: String(WAIT_MS),
        INVENTORY_INITIAL_STOCK: String(INITIAL_STOCK),
        SAGA_ADMIN_TOKEN: ADMIN_TOKEN,
      },
      echo: process.env.DTA_E2E_LOGS === '1',
    });
    let gw1: GatewayClient;
    let gw2: GatewayClient;
    let products = 0;

    /** A product no other test touched: its stock starts at INITIAL_STOCK. */
    const newProduct = (): string => `d-${run}-${++products}`;
    /** A trace id (x-request-id) of this run; each one also names one saga (idempotent starts). */
    const traceOf = (what: string): string => `dist-${run}-${what}`;
    const gateway = (replica: number): GatewayClient => (replica === 1 ? gw1 : gw2);
    /** Tasks of a saga whose compensation ran to success, as `GET /sagas/:id` shows them. */
    const compensatedIn = (view: SagaStatusView): string[] =>
      view.steps.flatMap((s) =>
        s.tasks.filter((t) => t.compensation?.status === 'succeeded').map((t) => t.name),
      );
    /** Polls `GET /sagas/:id` until the saga is terminal (or the deadline passes) and returns the last view. */
    const settled = async (client: GatewayClient, sagaId: string, timeoutMs = 30_000) =>
      eventually(
        () => client.saga(sagaId),
        (answer) => answer.status === 200 && TERMINAL.includes(answer.body.status),
        { timeoutMs, intervalMs: 100 },
      );

    beforeAll(async () => {
      await system.start();
      await system.waitUntilReady(STARTUP_MS);
      gw1 = system.gateway(1);
      gw2 = system.gateway(2);
    }, STARTUP_MS + 30_000);

    afterAll(async () => {
      try {
        await system.stop();
      } finally {
        const tasks = Object.values(Booking.task).map((t) => t.name);
        const instances = system.processes.map((p) => p.instanceId);
        if (instances.length > 0) {
          await deleteBrokerTopology(transport, prefix, { name: Booking.name, tasks }, instances);
        }
        await deleteRedisKeys(REDIS_URL, prefix);
      }
    }, 60_000);

    it.each([1, 2])(
      'sync at gateway #%i: 201 completed with order and payment ids; both gateways show the reservation',
      async (replica) => {
        const productId = newProduct();
        const traceId = traceOf(`sync-${replica}`);

        const answer = await gateway(replica).book({ productId, quantity: 2 }, { traceId });

        expect(answer.status).toBe(201);
        expect(answer.headers.get('x-request-id')).toBe(traceId);
        expect(answer.body).toMatchObject({
          sagaId: expect.stringMatching(UUID),
          traceId,
          status: 'completed',
          result: {
            'create-order': { orderId: expect.stringMatching(/\S/), productId, quantity: 2 },
            'charge-payment': { paymentId: expect.stringMatching(/\S/) },
            'reserve-stock': { productId, quantity: 2 },
          },
        });
        for (const client of [gw1, gw2]) {
          expect(await client.stock(productId)).toEqual({
            productId,
            available: INITIAL_STOCK - 2,
            reserved: 2,
          });
        }
      },
    );

    describe('compensation across processes: 409, stock restored, the other gateway shows the same saga', () => {
      it.each([
        {
          fault: true,
          at: 1,
          failedStep: 'payment-and-stock',
          failedTask: 'charge-payment',
          // reserve-stock ran beside the payment and succeeded: the step waits for it, then undoes it
          compensated: ['create-order', 'reserve-stock'],
          steps: ['compensated', 'failed', 'pending'],
        },
        {
          fault: 'inventory',
          at: 2,
          failedStep: 'payment-and-stock',
          failedTask: 'reserve-stock',
          compensated: ['charge-payment', 'create-order'],
          steps: ['compensated', 'failed', 'pending'],
        },
        {
          fault: 'confirm',
          at: 1,
          failedStep: 'confirm',
          failedTask: 'confirm-order',
          compensated: ['charge-payment', 'create-order', 'reserve-stock'],
          steps: ['compensated', 'compensated', 'failed'],
        },
      ])(
        'faultInject $fault at gateway #$at: $failedTask fails, $compensated undone',
        async ({ fault, at, failedStep, failedTask, compensated, steps }) => {
          const productId = newProduct();
          const traceId = traceOf(`fault-${String(fault)}`);
          const other = gateway(3 - at);

          const answer = await gateway(at).book({ productId, quantity: 3, faultInject: fault }, { traceId });

          expect(answer.status).toBe(409);
          expect(answer.body).toMatchObject({
            sagaId: expect.stringMatching(UUID),
            traceId,
            status: 'compensated',
            failedStep,
            failedTask,
            error: `fault injected into ${failedTask}`,
          });
          expect([...(answer.body.compensated ?? [])].sort()).toEqual(compensated);
          expect(await other.stock(productId)).toEqual({ productId, available: INITIAL_STOCK, reserved: 0 });

          const view = await other.saga(answer.body.sagaId);
          expect(view.status).toBe(200);
          expect(view.body).toMatchObject({
            id: answer.body.sagaId,
            flow: 'booking',
            status: 'compensated',
            traceId,
            failure: {
              step: failedStep,
              task: failedTask,
              error: { message: `fault injected into ${failedTask}` },
            },
          });
          expect(view.body.steps.map((s) => s.status)).toEqual(steps);
          expect(compensatedIn(view.body).sort()).toEqual(compensated);
        },
      );
    });

    describe('async with a callback URL', () => {
      let receiver: CallbackReceiver;

      beforeAll(async () => {
        receiver = await CallbackReceiver.start();
      });
      afterAll(async () => {
        await receiver?.close();
      });

      /** Posts an async booking whose callback goes to `path` on the receiver; checks the 202. */
      const bookAsync = async (client: GatewayClient, path: string, traceId: string, productId: string) => {
        const answer = await client.book(
          { productId, quantity: 1, callbackUrl: receiver.url(path) },
          { mode: 'async', traceId },
        );
        expect(answer.status).toBe(202);
        expect(answer.body).toEqual({
          sagaId: expect.stringMatching(UUID),
          traceId,
          statusUrl: `/sagas/${answer.body.sagaId}`,
        });
        expect(answer.headers.get('location')).toBe(answer.body.statusUrl);
        return answer.body;
      };
      /** The result every callback of this saga must carry. */
      const completedResult = (sagaId: string, traceId: string, productId: string) => ({
        sagaId,
        traceId,
        flow: 'booking',
        status: 'completed',
        result: expect.objectContaining({
          'create-order': expect.objectContaining({ productId, quantity: 1 }),
        }),
      });

      it('202 at once with sagaId, traceId and statusUrl; the receiver gets the completed result, x-request-id = traceId', async () => {
        const traceId = traceOf('async-ok');
        const path = `/hooks/${traceId}`;
        const productId = newProduct();

        const { sagaId } = await bookAsync(gw1, path, traceId, productId);

        const calls = await eventually(
          async () => receiver.requestsTo(path),
          (r) => r.length >= 1,
          { timeoutMs: 20_000 },
        );
        // Delivery is at least once: any repeat must carry the same result.
        expect(calls.length).toBeGreaterThanOrEqual(1);
        for (const call of calls) {
          expect(call.headers['x-request-id']).toBe(traceId);
          expect(call.headers['content-type']).toMatch(/^application\/json/);
          expect(call.body).toMatchObject(completedResult(sagaId, traceId, productId));
          expect(call.body).toEqual(calls[0].body);
        }
        const view = await gw2.saga(sagaId);
        expect(view.body).toMatchObject({ id: sagaId, status: 'completed', traceId });
      });

      it('retries a callback the receiver refused: 500 on the first try, then 200, and the result arrives', async () => {
        const traceId = traceOf('async-retry');
        const path = `/hooks/${traceId}`;
        const productId = newProduct();
        receiver.script(path, [500]);

        const { sagaId } = await bookAsync(gw2, path, traceId, productId);

        const calls = await eventually(
          async () => receiver.requestsTo(path),
          (r) => r.some((c) => c.answeredWith === 200),
          { timeoutMs: 20_000 },
        );
        expect(calls.map((c) => c.answeredWith)).toEqual([500, 200, ...calls.slice(2).map(() => 200)]);
        for (const call of calls) {
          expect(call.headers['x-request-id']).toBe(traceId);
          expect(call.body).toMatchObject(completedResult(sagaId, traceId, productId));
        }
      });
    });

    it(`throttled: a burst of ${BURST} over both gateways all finish, and no orchestrator ever runs more than SAGA_MAX_CONCURRENT (${MAX_CONCURRENT})`, async () => {
      const burst = traceOf('burst');
      const burstProducts = Array.from({ length: 6 }, () => newProduct());
      const requests = Array.from({ length: BURST }, (_, i) => ({
        traceId: `${burst}-${i}`,
        productId: burstProducts[i % burstProducts.length],
        // every tenth rolls back, so that compensations share the limit too
        faultInject: i % 10 === 9,
        client: gateway((i % 2) + 1),
      }));
      const keys = ['booking.started', 'booking.completed', 'booking.compensated', 'booking.stalled'];
      const events =
        transport === 'nats'
          ? await LifecycleEventRecorder.openNats(NATS_URL, prefix, keys)
          : await LifecycleEventRecorder.open(AMQP_URL, new SagaTopology(prefix).eventsExchange, keys);
      try {
        const answers = await Promise.all(
          requests.map(({ client, traceId, productId, faultInject }) =>
            client.book(
              { productId, quantity: 1, ...(faultInject ? { faultInject } : {}) },
              { mode: 'throttled', traceId },
            ),
          ),
        );

        // 201 completed, 409 rolled back, or 202 when the wait budget ran out: then the saga goes on.
        const unexpected = answers
          .map((answer, i) => ({ i, status: answer.status, body: answer.body }))
          .filter(({ status }) => ![201, 202, 409].includes(status));
        expect(unexpected).toEqual([]);
        const outcomes = await Promise.all(
          answers.map(async (answer: HttpAnswer<BookingAnswerBody>, i) => {
            expect(answer.body.traceId).toBe(requests[i].traceId);
            if (answer.status !== 202) return answer.body.status;
            return (await settled(requests[i].client, answer.body.sagaId, 60_000)).body.status;
          }),
        );
        expect(outcomes).toEqual(requests.map((r) => (r.faultInject ? 'compensated' : 'completed')));

        // The terminal event of a saga is confirmed before its result is sent: all are in by now, give or take.
        const sagaIds = new Set(answers.map((a) => a.body.sagaId));
        const ours = () => events.events.filter((e) => e.traceId.startsWith(`${burst}-`));
        const seen = await eventually(
          async () => ours(),
          (e) => e.filter((x) => x.type !== 'started').length >= BURST,
          { timeoutMs: 10_000 },
        );
        expect(new Set(seen.map((e) => e.sagaId))).toEqual(sagaIds);
        const report = concurrencyByInstance(seen);
        expect(report.startedTwice).toEqual([]);
        expect(report.unexpectedEnds).toEqual([]);
        const orchestrators = system.of('orchestrator').map((p) => p.instanceId);
        const peaks = Object.fromEntries(report.peak);
        // Both orchestrators took part, and each stayed within its limit.
        expect(Object.keys(peaks).sort()).toEqual([...orchestrators].sort());
        expect(Object.entries(peaks).filter(([, peak]) => peak > MAX_CONCURRENT)).toEqual([]);
        // The limit was reached (the burst queued), so the bound above was put to the test.
        expect(Math.max(...Object.values(peaks))).toBe(MAX_CONCURRENT);
        expect([...report.started.values()].reduce((a, b) => a + b, 0)).toBe(BURST);

        // Each completed booking reserved its one unit, once.
        for (const productId of burstProducts) {
          const booked = requests.filter(
            (r, i) => r.productId === productId && outcomes[i] === 'completed',
          ).length;
          expect(await gw1.stock(productId)).toEqual({
            productId,
            available: INITIAL_STOCK - booked,
            reserved: booked,
          });
        }
      } finally {
        await events.close();
      }
    }, 120_000);

    it('idempotent start across gateways: one x-request-id at both at once -> one saga, one reservation', async () => {
      const productId = newProduct();
      const traceId = traceOf('idempotent');
      const body = { productId, quantity: 4 };

      const [first, second] = await Promise.all([gw1.book(body, { traceId }), gw2.book(body, { traceId })]);

      expect([first.status, second.status]).toEqual([201, 201]);
      expect(first.body).toMatchObject({ sagaId: expect.stringMatching(UUID), traceId, status: 'completed' });
      expect(second.body).toEqual(first.body);
      for (const client of [gw1, gw2]) {
        expect(await client.stock(productId)).toEqual({
          productId,
          available: INITIAL_STOCK - 4,
          reserved: 4,
        });
      }
    });

    it(`no reply reaches the wrong caller: ${CONCURRENT_SYNC} concurrent sync bookings over both gateways`, async () => {
      const requests = Array.from({ length: CONCURRENT_SYNC }, (_, i) => ({
        traceId: traceOf(`fan-${i}`),
        productId: newProduct(),
        quantity: 1 + (i % 7),
        client: gateway((i % 2) + 1),
      }));

      const answers = await Promise.all(
        requests.map(({ client, traceId, productId, quantity }) =>
          client.book({ productId, quantity }, { traceId }),
        ),
      );

      const mismatches = answers
        .map((answer, i) => ({ answer, request: requests[i] }))
        .filter(
          ({ answer, request }) =>
            answer.status !== 201 ||
            answer.headers.get('x-request-id') !== request.traceId ||
            answer.body.traceId !== request.traceId ||
            answer.body.result?.['create-order'].productId !== request.productId ||
            answer.body.result?.['create-order'].quantity !== request.quantity ||
            answer.body.result?.['reserve-stock'].productId !== request.productId,
        )
        .map(({ answer, request }) => ({
          request: { ...request, client: request.client.name },
          answer: answer.body,
        }));
      expect(mismatches).toEqual([]);
      expect(new Set(answers.map((a) => a.body.sagaId)).size).toBe(CONCURRENT_SYNC);
      const stocks = await Promise.all(requests.map((r, i) => gateway(2 - (i % 2)).stock(r.productId)));
      expect(stocks).toEqual(
        requests.map(({ productId, quantity }) => ({
          productId,
          available: INITIAL_STOCK - quantity,
          reserved: quantity,
        })),
      );
    });

    describe('gRPC (pb.BookingService) at gateway #2, through a plain grpc-js client', () => {
      let grpc2: GrpcTestClient;
      let grpc1: GrpcTestClient;
      let address2: string;

      beforeAll(() => {
        const [first, second] = system.of('gateway');
        address2 = `127.0.0.1:${second.ports!.grpc}`;
        grpc2 = GrpcTestClient.of(PROTO_PATH, 'pb.BookingService', address2);
        grpc1 = GrpcTestClient.of(PROTO_PATH, 'pb.BookingService', `127.0.0.1:${first.ports!.grpc}`);
      });
      afterAll(() => {
        grpc2?.close();
        grpc1?.close();
      });

      const traceIdIn = (metadata: Metadata) => metadata.get('x-request-id')[0];

      it('HandleSyncBooking: completed, TraceID = the x-request-id metadata', async () => {
        const productId = newProduct();
        const traceId = traceOf('grpc-sync');

        const answer = await grpc2.unary<BookingResponse>(
          'HandleSyncBooking',
          { ProductID: productId, Quantity: 2, FaultInject: 'false' },
          { 'x-request-id': traceId },
        );

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
        expect(traceIdIn(answer.metadata)).toBe(traceId);
        expect(await gw1.stock(productId)).toEqual({ productId, available: INITIAL_STOCK - 2, reserved: 2 });
      });

      it('FaultInject "true": ABORTED naming the failed task; GetBooking at gateway #1 shows it rolled back', async () => {
        const productId = newProduct();
        const traceId = traceOf('grpc-aborted');

        const answer = await grpc2.unary<BookingResponse>(
          'HandleSyncBooking',
          { ProductID: productId, Quantity: 2, FaultInject: 'true' },
          { 'x-request-id': traceId },
        );

        expect(answer.error?.code).toBe(GrpcStatus.ABORTED);
        expect(answer.error?.details).toContain("task 'charge-payment' of step 'payment-and-stock' failed");
        const sagaId = answer.error?.metadata.get('x-saga-id')[0] as string;
        expect(sagaId).toMatch(UUID);
        expect(await gw1.stock(productId)).toEqual({ productId, available: INITIAL_STOCK, reserved: 0 });
        const status = await grpc1.unary<BookingResponse>('GetBooking', { SagaID: sagaId });
        expect(status.response).toMatchObject({
          SagaID: sagaId,
          TraceID: traceId,
          Status: 'compensated',
          FailedStep: 'payment-and-stock',
          FailedTask: 'charge-payment',
        });
      });

      it('HandleAsyncBooking: running at once; GetBooking follows it to completed', async () => {
        const traceId = traceOf('grpc-async');

        const answer = await grpc2.unary<BookingResponse>(
          'HandleAsyncBooking',
          { ProductID: newProduct(), Quantity: 1 },
          { 'x-request-id': traceId },
        );

        expect(answer.response).toMatchObject({
          SagaID: expect.stringMatching(UUID),
          TraceID: traceId,
          Status: 'running',
        });
        const last = await eventually(
          () => grpc2.unary<BookingResponse>('GetBooking', { SagaID: answer.response!.SagaID }),
          (status) => status.response?.Status === 'completed',
          { timeoutMs: 20_000 },
        );
        expect(last.response).toMatchObject({
          SagaID: answer.response!.SagaID,
          TraceID: traceId,
          Status: 'completed',
          OrderID: expect.stringMatching(/\S/),
          PaymentID: expect.stringMatching(/\S/),
        });
      });

      it('server reflection lists pb.BookingService', async () => {
        const listed = await reflect<{ list_services_response: { service: { name: string }[] } }>(address2, {
          list_services: '',
        });
        expect(listed.list_services_response.service.map((s) => s.name)).toContain('pb.BookingService');
      });
    });

    it('operator API across processes: stalled through gateway #1, fault cleared and resumed through gateway #2, compensated', async () => {
      const productId = newProduct();
      const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
      const booked = await gw1.book(
        { productId, quantity: 3, faultInject: 'confirm', failCompensation: 'inventory' },
        { traceId: traceOf('admin-stall') },
      );
      expect(booked.body).toMatchObject({ status: 'stalled' });
      const sagaId = booked.body.sagaId;
      expect((await gw2.send<SagaStatusView>('GET', `/admin/sagas/${sagaId}`, auth)).body.status).toBe(
        'stalled',
      );
      expect((await gw2.send('GET', `/admin/sagas/${sagaId}`)).status).toBe(401);
      expect(await gw2.stock(productId)).toMatchObject({ available: INITIAL_STOCK - 3, reserved: 3 });

      expect((await gw2.send('DELETE', `/faults/${sagaId}`)).status).toBe(204);
      const resumed = await gw2.send('POST', `/admin/sagas/${sagaId}/resume`, auth, {
        reason: 'inventory fixed',
      });
      expect(resumed.status).toBe(200);

      const view = (
        await eventually(
          () => gw1.send<SagaStatusView>('GET', `/admin/sagas/${sagaId}`, auth),
          (answer) => answer.body.status === 'compensated',
          { timeoutMs: 20_000 },
        )
      ).body;
      expect(view.status).toBe('compensated');
      expect(view.history).toEqual([
        expect.objectContaining({ action: 'resume', by: 'admin', reason: 'inventory fixed' }),
      ]);
      expect(await gw1.stock(productId)).toEqual({ productId, available: INITIAL_STOCK, reserved: 0 });
    });

    it('no process exited while the tests ran', () => {
      expect(system.crashes).toEqual([]);
    });
  },
);
