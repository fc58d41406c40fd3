import type { INestApplication } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { Booking, type BookingResponse } from '@dta/booking';
import { SAGA_TRANSPORT, type SagaTransport } from '@dta/saga';
import { RETRY_PUSHBACK_TRAILER } from '@dta/saga/grpc';
import { AppModule as GatewayModule } from '../apps/gateway/src/app.module';
import { INFRAS, freePort } from './support/e2e-infra';
import { GrpcTestClient } from './support/grpc-client';
import { startBookingApp } from './support/standalone-app';

jest.setTimeout(30_000);

const MAX_QUEUED_STARTS = 2;

/** On the memory transport a gateway is the whole system: it refuses every start at once (last suite below). */
const BROKERS = INFRAS.filter((infra) => infra.transport !== 'memory');

/**
 * Backpressure and input bounds. A gateway with no orchestrator behind it: every start it accepts waits in the broker, so the start queue
 * grows with each one until the gateway refuses new starts.
 */
describe.each(BROKERS)('limits at the gateway over $name', (infra) => {
  let app: INestApplication;
  let close: (() => Promise<void>) | undefined;
  let http: App;
  let grpc: GrpcTestClient;
  let sagaTransport: SagaTransport;

  beforeAll(async () => {
    const port = await freePort();
    const env = {
      SAGA_WAIT_TIMEOUT_MS: '300',
      SAGA_MAX_QUEUED_STARTS: String(MAX_QUEUED_STARTS),
      GRPC_PORT: String(port),
    };
    const prefix = `dta-bp-${randomBytes(4).toString('hex')}`;
    ({ app, close } = await startBookingApp(infra, prefix, env, { grpc: true, module: GatewayModule }));
    http = app.getHttpServer() as App;
    grpc = GrpcTestClient.of('proto/booking.proto', 'pb.BookingService', `127.0.0.1:${port}`);
    sagaTransport = app.get<SagaTransport>(SAGA_TRANSPORT);
  });

  afterAll(async () => {
    grpc?.close();
    await close?.();
  });

  const queued = () => sagaTransport.queuedStarts(Booking.name);

  it('accepts starts below the bound (they wait in the broker), then refuses with 429 and Retry-After', async () => {
    // No orchestrator: an accepted async start is answered 202 once the wait runs out, and stays queued.
    await request(http).post('/bookings?mode=async').send({ productId: 'p-1' }).expect(202);
    const grpcStart = await grpc.unary<BookingResponse>('HandleAsyncBooking', {
      ProductID: 'p-2',
      Quantity: 1,
    });
    expect(grpcStart.error).toBeUndefined();
    expect(grpcStart.response?.Status).toBe('running');
    expect(await queued()).toBe(MAX_QUEUED_STARTS);

    const refused = await request(http).post('/bookings').send({ productId: 'p-3' }).expect(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      flow: Booking.name,
      retryAfterMs: 1000,
    });
    expect((refused.body as { message: string }).message).toContain(
      `${MAX_QUEUED_STARTS} starts already wait for an orchestrator (maxQueuedStarts ${MAX_QUEUED_STARTS})`,
    );
    // Nothing was published for the refused start, and the accepted ones are still there.
    expect(await queued()).toBe(MAX_QUEUED_STARTS);
  });

  it('refuses a gRPC start at the bound with RESOURCE_EXHAUSTED and a retry pushback', async () => {
    const { error } = await grpc.unary<BookingResponse>('HandleSyncBooking', {
      ProductID: 'p-4',
      Quantity: 1,
    });
    expect(error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error?.details).toContain(`maxQueuedStarts ${MAX_QUEUED_STARTS}`);
    expect(error?.metadata.get(RETRY_PUSHBACK_TRAILER)).toEqual(['1000']);
    expect(await queued()).toBe(MAX_QUEUED_STARTS);
  });

  it('still refuses bad input with 400 first: validation comes before admission', async () => {
    await request(http).post('/bookings').send({ productId: '' }).expect(400);
  });

  it('refuses with 400, not a stack overflow, a body nested deeper than a start message may be', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const res = await request(http)
      .post('/bookings')
      .set('content-type', 'application/json')
      .send(`{"productId":"p-5","extra":${deep}}`)
      .expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: [expect.stringMatching(/^input must be nested at most 99 levels deep/)],
    });
    expect(await queued()).toBe(MAX_QUEUED_STARTS);
  });
});

describe('a gateway alone on the memory transport', () => {
  const memory = INFRAS.find((infra) => infra.transport === 'memory')!;
  let app: INestApplication;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const prefix = `dta-bp-${randomBytes(4).toString('hex')}`;
    ({ app, close } = await startBookingApp(memory, prefix, {}, { module: GatewayModule }));
  });

  afterAll(() => close?.());

  it('refuses a start at once, since no orchestrator can ever take it (UnorchestratedFlowError)', async () => {
    // Not the 202 of a start that waited in vain for an orchestrator: refused before anything is published.
    await request(app.getHttpServer() as App)
      .post('/bookings?mode=async')
      .send({ productId: 'p-1' })
      .expect(500);
  });
});
