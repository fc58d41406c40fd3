import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { Booking, startService } from '@dta/booking';
import { AppModule as OrchestratorModule } from '../apps/orchestrator/src/app.module';
import { startRedis, stopRedis, type StartedRedis } from './infra/redis-test-server';
import { eventually } from './support/distributed/eventually';
import { AMQP_URL, freePort } from './support/e2e-infra';
import { deleteBrokerTopology } from './support/infra-cleanup';
import { startBookingApp } from './support/standalone-app';

jest.setTimeout(60_000);

/**
 * `/health/live` and `/health/ready` on real RabbitMQ and a Redis of the test's own, which it stops and
 * starts again: readiness follows the store, liveness does not, and a process with no front door serves
 * both on `HEALTH_PORT`.
 */
describe('health checks on RabbitMQ and a Redis that goes away', () => {
  const prefix = `dta-health-${randomBytes(4).toString('hex')}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'dta-health-'));
  let redis: StartedRedis;
  let redisUrl: string;
  let app: INestApplication;
  let close: () => Promise<void>;
  let http: App;

  beforeAll(async () => {
    redis = await startRedis(await freePort(), stateDir);
    redisUrl = `redis://127.0.0.1:${redis.port}`;
    ({ app, close } = await startBookingApp(
      { name: 'health', transport: 'rabbitmq', store: 'redis' },
      prefix,
      {
        REDIS_URL: redisUrl,
      },
    ));
    http = app.getHttpServer() as App;
  });

  afterAll(async () => {
    await close?.();
    if (redis) await stopRedis(redis);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('is live and ready while the broker and the store answer', async () => {
    await request(http).get('/health/live').expect(200, { status: 'ok', info: {}, error: {}, details: {} });
    const ready = await request(http).get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      info: { transport: { status: 'up' }, store: { status: 'up' } },
    });
  });

  it('answers 503 naming the store while Redis is down, stays live, and is ready again once it is back', async () => {
    await stopRedis(redis);
    const down = await request(http).get('/health/ready').expect(503);
    expect(down.body).toMatchObject({
      status: 'error',
      info: { transport: { status: 'up' } },
      error: { store: { status: 'down' } },
    });
    expect(down.body.error.transport).toBeUndefined();
    await request(http).get('/health/live').expect(200);

    redis = await startRedis(redis.port, stateDir, { keepData: true });
    const back = await eventually(
      async () => (await request(http).get('/health/ready')).status,
      (status) => status === 200,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(back).toBe(200);
  });

  it('serves both on HEALTH_PORT in a process with no front door (the orchestrator)', async () => {
    const port = await freePort();
    const env = {
      AMQP_URL,
      REDIS_URL: redisUrl,
      SAGA_PREFIX: `${prefix}-svc`,
      HEALTH_PORT: String(port),
    };
    const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, env);
    let service: INestApplication | undefined;
    try {
      service = await startService(OrchestratorModule, 'Orchestrator');
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        info: { transport: { status: 'up' }, store: { status: 'up' } },
      });
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    } finally {
      await service?.close();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      const tasks = Object.values(Booking.task).map((t) => t.name);
      await deleteBrokerTopology('rabbitmq', `${prefix}-svc`, { name: Booking.name, tasks }, []);
    }
  });
});
