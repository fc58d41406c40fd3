import { randomUUID } from 'node:crypto';
import { ConfigService } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import Redis from 'ioredis';
import { SagaModule } from '@dta/saga';
import { InventoryService } from './inventory.service';
import { expectNoOversellNorLostRelease } from './stock-concurrency.scenario';
import { StockModule } from './stock.module';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('InventoryService on Redis', () => {
  const prefix = `dta-test-${randomUUID()}`;
  let client: Redis;
  let moduleRef: TestingModule;

  beforeAll(async () => {
    client = new Redis(REDIS_URL);
    moduleRef = await Test.createTestingModule({
      imports: [SagaModule.forRoot({ store: 'redis', redisUrl: REDIS_URL, prefix }), StockModule],
    })
      .overrideProvider(ConfigService)
      .useValue(new ConfigService({ INVENTORY_INITIAL_STOCK: '30' }))
      .compile();
  });

  afterAll(async () => {
    await moduleRef.close();
    const keys = await client.keys(`${prefix}:*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
  });

  it('neither oversells nor loses a release under 50 concurrent reserves and releases of one product', () =>
    expectNoOversellNorLostRelease(moduleRef.get(InventoryService), 'hot'));
});
