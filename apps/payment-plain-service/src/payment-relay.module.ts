import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { SagaRelayModule } from '@dta/saga';
import { distributedSagaModule } from '@dta/booking';
import { ChargePaymentRelay } from './charge-payment.relay';
import { SagaHealthModule } from '@dta/saga/health';
import { SagaMetricsModule } from '@dta/saga/metrics';

/**
 * The DTA side of the plain payment service: hosts charge-payment by relaying it over gRPC. Runs beside the
 * orchestrator (any number of replicas), on RabbitMQ and Redis as every booking app; orchestrates nothing.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    distributedSagaModule({ orchestrate: false }),
    SagaRelayModule.register([ChargePaymentRelay]),
    SagaHealthModule,
    SagaMetricsModule.forRoot(),
  ],
})
export class PaymentRelayModule {}
