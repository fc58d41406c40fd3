import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { PaymentModule, distributedSagaModule } from '@dta/booking';
import { SagaHealthModule } from '@dta/saga/health';
import { SagaMetricsModule } from '@dta/saga/metrics';

/** The payment service: runs the payment tasks of the booking flow (any number of replicas). */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    distributedSagaModule({ orchestrate: false }),
    PaymentModule,
    SagaHealthModule,
    SagaMetricsModule.forRoot(),
  ],
})
export class AppModule {}
