import { ConfigModule } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { SagaClient, SagaCompensatedError } from '@dta/saga';
import { SagaFaults, SagaTester, SagaTestingModule } from '@dta/saga/testing';
import { Booking } from './booking.contract';
import { BookingDocumentStore } from './booking-document.store';
import { BookingSagaModule } from './booking-saga.module';
import { DEFAULT_INITIAL_STOCK } from './inventory/inventory.config';
import { InventoryModule } from './inventory/inventory.module';
import { InventoryService } from './inventory/inventory.service';
import { type Order, orderIdOf, orderKey } from './order/order.document';
import { OrderModule } from './order/order.module';
import { PaymentModule } from './payment/payment.module';

/** The booking flow and its three services in one test module, with faults injected per task. */
describe('the booking flow (SagaTestingModule)', () => {
  let moduleRef: TestingModule;
  let client: SagaClient;
  let faults: SagaFaults;
  let tester: SagaTester;
  let inventory: InventoryService;
  let products = 0;
  const newProduct = () => `spec-${process.pid}-${++products}`;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        SagaTestingModule.forRoot(),
        ConfigModule.forRoot({ ignoreEnvFile: true }),
        BookingSagaModule,
        OrderModule,
        PaymentModule,
        InventoryModule,
      ],
    }).compile();
    await moduleRef.init();
    client = moduleRef.get(SagaClient);
    faults = moduleRef.get(SagaFaults);
    tester = moduleRef.get(SagaTester);
    inventory = moduleRef.get(InventoryService);
  });

  afterAll(() => moduleRef.close());

  afterEach(() => faults.clear());

  it('books: the order is created, paid and confirmed, and the stock reserved', async () => {
    const productId = newProduct();
    const done = await client.run(Booking, { productId, quantity: 2 });
    expect(done.result['charge-payment']).toMatchObject({ amount: expect.any(Number) });
    expect(await inventory.stock(productId)).toEqual({
      productId,
      available: DEFAULT_INITIAL_STOCK - 2,
      reserved: 2,
    });
  });

  it('rolls back a declined payment: the order is cancelled and the stock released', async () => {
    const productId = newProduct();
    faults.fault(Booking.task.chargePayment).reject('card declined', { code: 'DECLINED' });
    const error = (await client
      .run(Booking, { productId, quantity: 1 })
      .catch((e: unknown) => e)) as SagaCompensatedError;
    expect(error).toBeInstanceOf(SagaCompensatedError);
    expect(error.failure).toMatchObject({ task: 'charge-payment', error: { details: { code: 'DECLINED' } } });
    expect(error.compensated).toContain('create-order');
    const order = await moduleRef.get(BookingDocumentStore).get<Order>(orderKey(orderIdOf(error.sagaId)));
    expect(order?.status).toBe('cancelled');
    expect(await inventory.stock(productId)).toEqual({
      productId,
      available: DEFAULT_INITIAL_STOCK,
      reserved: 0,
    });
  });

  it('rides through a reservation that outran its timeout once: reserved once, not rolled back', async () => {
    const productId = newProduct();
    faults.fault(Booking.task.reserveStock).timeout({ times: 1 });
    const done = await client.run(Booking, { productId, quantity: 1 });
    expect(await tester.timeline(done.sagaId)).toEqual(
      expect.arrayContaining([
        'attempt-failed payment-and-stock/reserve-stock#1',
        'attempt-succeeded payment-and-stock/reserve-stock#2',
        'completed',
      ]),
    );
    expect(await inventory.stock(productId)).toEqual({
      productId,
      available: DEFAULT_INITIAL_STOCK - 1,
      reserved: 1,
    });
  });

  it('completes when the confirmation is delivered twice and its first reply is lost', async () => {
    faults.fault(Booking.task.confirmOrder).loseReply();
    const { sagaId } = await client.start(Booking, { productId: newProduct(), quantity: 1 });
    expect((await tester.settled(sagaId)).status).toBe('completed');
    const order = await moduleRef.get(BookingDocumentStore).get<Order>(orderKey(orderIdOf(sagaId)));
    expect(order?.status).toBe('confirmed');
  });
});
