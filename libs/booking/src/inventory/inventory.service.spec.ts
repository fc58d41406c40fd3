import { ConfigService } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { SAGA_STORE, SagaModule, type SagaStore } from '@dta/saga';
import { InventoryService } from './inventory.service';
import { OutOfStockError } from './out-of-stock.error';
import { expectNoOversellNorLostRelease } from './stock-concurrency.scenario';
import { stockKey } from './stock.document';
import { StockModule } from './stock.module';

describe('InventoryService', () => {
  let moduleRef: TestingModule | undefined;
  let inventory: InventoryService;
  let store: SagaStore;

  async function boot(env: Record<string, string>): Promise<void> {
    moduleRef = await Test.createTestingModule({ imports: [SagaModule.forRoot({}), StockModule] })
      .overrideProvider(ConfigService)
      .useValue(new ConfigService(env))
      .compile();
    inventory = moduleRef.get(InventoryService);
    store = moduleRef.get<SagaStore>(SAGA_STORE);
  }

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  describe('with INVENTORY_INITIAL_STOCK=5', () => {
    beforeEach(() => boot({ INVENTORY_INITIAL_STOCK: '5' }));

    it('shows a product never seen with the initial stock, without storing anything', async () => {
      expect(await inventory.stock('p1')).toEqual({ productId: 'p1', available: 5, reserved: 0 });
      expect(await store.readCounters(stockKey('p1'))).toBeUndefined();
    });

    it('reserves once per order, however often it is asked', async () => {
      expect(await inventory.reserve('o1', 'p1', 2)).toEqual({ productId: 'p1', available: 3, reserved: 2 });
      expect(await inventory.reserve('o1', 'p1', 2)).toEqual({ productId: 'p1', available: 3, reserved: 2 });
      expect(await inventory.stock('p1')).toEqual({ productId: 'p1', available: 3, reserved: 2 });
    });

    it('refuses more than is available and changes nothing', async () => {
      await inventory.reserve('o1', 'p1', 4);
      await expect(inventory.reserve('o2', 'p1', 2)).rejects.toEqual(new OutOfStockError('p1', 2, 1));
      expect(await inventory.stock('p1')).toEqual({ productId: 'p1', available: 1, reserved: 4 });
    });

    it('reserves nothing more for an order whose reservation was released', async () => {
      await inventory.reserve('o1', 'p1', 2);
      await inventory.release('o1', 'p1');
      expect(await inventory.reserve('o1', 'p1', 2)).toEqual({ productId: 'p1', available: 5, reserved: 0 });
    });

    it('releases a reservation once; a second release changes nothing', async () => {
      await inventory.reserve('o1', 'p1', 2);
      await inventory.reserve('o2', 'p1', 1);
      expect(await inventory.release('o1', 'p1')).toBe(true);
      expect(await inventory.release('o1', 'p1')).toBe(false);
      expect(await inventory.stock('p1')).toEqual({ productId: 'p1', available: 4, reserved: 1 });
    });

    it('changes nothing for a release of a reservation never made', async () => {
      expect(await inventory.release('o9', 'p1')).toBe(false);
      expect(await store.readCounters(stockKey('p1'))).toBeUndefined();
      await inventory.reserve('o1', 'p1', 2);
      expect(await inventory.release('o9', 'p1')).toBe(false);
      expect(await inventory.stock('p1')).toEqual({ productId: 'p1', available: 3, reserved: 2 });
    });

    it('never oversells under concurrent reservations, and never writes stock it did not change', async () => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => inventory.reserve(`o${i}`, 'p1', 1)),
      );
      const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
      expect(refusals).toEqual(Array.from({ length: 3 }, () => new OutOfStockError('p1', 1, 0)));
      expect(await inventory.stock('p1')).toEqual({ productId: 'p1', available: 0, reserved: 5 });
    });
  });

  describe('with INVENTORY_INITIAL_STOCK=30', () => {
    beforeEach(() => boot({ INVENTORY_INITIAL_STOCK: '30' }));

    it('neither oversells nor loses a release under 50 concurrent reserves and releases of one product', () =>
      expectNoOversellNorLostRelease(inventory, 'p1'));
  });

  it('starts unknown products with 100 when INVENTORY_INITIAL_STOCK is not set', async () => {
    await boot({});
    expect(await inventory.stock('p1')).toEqual({ productId: 'p1', available: 100, reserved: 0 });
  });

  it.each(['-1', '2.5', 'many'])('refuses INVENTORY_INITIAL_STOCK=%s at bootstrap', async (value) => {
    await expect(boot({ INVENTORY_INITIAL_STOCK: value })).rejects.toThrow(
      `INVENTORY_INITIAL_STOCK must be an integer >= 0, got '${value}'`,
    );
  });
});
