import { type DynamicModule, Module, type Type } from '@nestjs/common';

/**
 * Hosts relayed tasks (`grpcTask(...)`, `httpTask(...)`) in an app that imports `SagaModule` with workers:
 * the orchestrator's app, or a small relay host beside it. Putting the relay classes in any module's
 * `providers` does the same.
 *
 * @example
 * @Module({ imports: [SagaModule.forRoot({ orchestrate: false }), SagaRelayModule.register([ChargePaymentRelay])] })
 * export class PaymentRelayModule {}
 */
@Module({})
export class SagaRelayModule {
  /** A module providing `relays`, the classes returned by `grpcTask(...)`. */
  static register(relays: Type[]): DynamicModule {
    return { module: SagaRelayModule, providers: [...relays] };
  }
}
