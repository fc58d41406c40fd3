import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { SagaModuleOptions } from '../interfaces/saga-module-options.interface';
import { SagaModule } from '../saga.module';
import { MemoryTransport } from '../transport/memory/memory.transport';
import type { SagaTransport } from '../transport/saga-transport.interface';
import { withFaults } from './fault-injecting.transport';
import { SagaFaults } from './saga-faults';
import { SagaTester } from './saga-tester';

/** The transport a {@link SagaTestingModule} built, closed with it. */
const TESTING_TRANSPORT = Symbol('dta:TestingTransport');

/** `SagaModule` options a test may set; transport and store are the testing module's. */
export type SagaTestingOptions = Omit<SagaModuleOptions, 'transport' | 'store' | 'oneProcess'>;

/**
 * `SagaModule` for unit and flow tests: the memory transport and store, with faults a test arms through
 * `SagaFaults`, and `SagaTester` to await a saga and read its timeline. The application under test is the
 * whole system, so a task without a host fails the bootstrap. It polls timers every 10 ms and waits 5 s for
 * `SagaClient.run` unless `options` say otherwise; `overrideTaskOptions` replaces the contract's timings
 * (`{ backoff: { delay: '1ms' }, compensationHorizon: '100ms' }`) so that retries and horizons pass at once.
 *
 * @example
 * const moduleRef = await Test.createTestingModule({
 *   imports: [SagaTestingModule.forRoot()],
 *   providers: [BookingSaga, OrderTasks, PaymentTasks, InventoryTasks],
 * }).compile();
 * await moduleRef.init();
 * moduleRef.get(SagaFaults).fault(Booking.task.chargePayment).reject('card declined');
 * await expect(moduleRef.get(SagaClient).run(Booking, dto)).rejects.toThrow(SagaCompensatedError);
 */
@Module({})
export class SagaTestingModule implements OnApplicationShutdown {
  constructor(@Inject(TESTING_TRANSPORT) private readonly transport: SagaTransport) {}

  static forRoot(options: SagaTestingOptions = {}): DynamicModule {
    const faults = new SagaFaults();
    const transport = withFaults(new MemoryTransport({ redeliveryDelayMs: 5 }), faults);
    return {
      module: SagaTestingModule,
      global: true,
      imports: [
        SagaModule.forRoot({
          sweepIntervalMs: 10,
          waitMs: 5_000,
          ...options,
          transport,
          store: 'memory',
          oneProcess: true,
        }),
      ],
      providers: [
        { provide: SagaFaults, useValue: faults },
        { provide: TESTING_TRANSPORT, useValue: transport },
        SagaTester,
      ],
      exports: [SagaFaults, SagaTester],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }
}
