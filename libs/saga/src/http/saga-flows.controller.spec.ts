import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import request from 'supertest';
import type { App } from 'supertest/types';
import { BookingSagaModule } from '@dta/booking/booking-saga.module';
import { InventoryModule } from '@dta/booking/inventory/inventory.module';
import { OrderModule } from '@dta/booking/order/order.module';
import { PaymentModule } from '@dta/booking/payment/payment.module';
import { sagaPlanDiagram } from '../engine/saga-plan.diagram';
import { SagaRegistry } from '../runtime/saga.registry';
import { SagaTestingModule } from '../testing';
import { SagaHttpModule } from './saga-http.module';
import { HTTP_PLATFORMS, httpTestApp } from './testing/http-test-app';

/** An app that orchestrates the booking and hosts its tasks, with `SagaHttpModule`, on Express or Fastify. */
function bookingApp(platform?: FastifyAdapter): Promise<INestApplication> {
  return httpTestApp(
    {
      imports: [
        SagaTestingModule.forRoot(),
        ConfigModule.forRoot({ ignoreEnvFile: true }),
        SagaHttpModule,
        BookingSagaModule,
        OrderModule,
        PaymentModule,
        InventoryModule,
      ],
    },
    platform,
  );
}

/** The ```mermaid block of README.md between `<!-- booking-diagram -->` and `<!-- /booking-diagram -->`. */
function readmeDiagram(): string {
  const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
  const block = /<!-- booking-diagram -->\s*```mermaid\n([\s\S]*?)```\s*<!-- \/booking-diagram -->/.exec(
    readme,
  );
  if (!block) throw new Error('README.md has no ```mermaid block between the booking-diagram markers');
  return block[1];
}

describe("the booking's diagram", () => {
  it('is the one README.md shows, drawn from the plan the explorer built', async () => {
    const app = await bookingApp();
    try {
      const plan = app.get(SagaRegistry).plan('booking');
      expect(plan).toBeDefined();
      expect(sagaPlanDiagram(plan!)).toBe(readmeDiagram());
    } finally {
      await app.close();
    }
  });
});

/** `GET /dta/flows` and `GET /dta/flows/:flow` in an app that orchestrates the booking, on both platforms. */
describe.each(HTTP_PLATFORMS)('SagaFlowsController on %s', (_platform, adapter) => {
  let app: INestApplication;
  let http: App;

  beforeAll(async () => {
    app = await bookingApp(adapter());
    http = app.getHttpServer() as App;
  });

  afterAll(() => app.close());

  it("answers a flow's diagram as Mermaid text", async () => {
    const res = await request(http).get('/dta/flows/booking').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe(sagaPlanDiagram(app.get(SagaRegistry).plan('booking')!));
    expect(res.text).toMatch(/^flowchart LR\n {2}start\(\["booking"\]\)\n/);
  });

  it('lists the flows it orchestrates with their steps', async () => {
    const res = await request(http).get('/dta/flows').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual([{ flow: 'booking', steps: ['order', 'payment-and-stock', 'confirm'] }]);
  });

  it('answers 404 as JSON for a flow it does not orchestrate, naming those it does', async () => {
    const res = await request(http).get('/dta/flows/nope').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ statusCode: 404, message: expect.stringContaining("'nope'") });
    expect(res.body.message).toContain("'booking'");
  });
});
