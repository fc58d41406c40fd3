import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { OrderModule, distributedSagaModule } from '@dta/booking';
import { SagaHealthModule } from '@dta/saga/health';
import { SagaMetricsModule } from '@dta/saga/metrics';

/** The order service: runs the order tasks of the booking flow (any number of replicas). */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    distributedSagaModule({ orchestrate: false }),
    OrderModule,
    SagaHealthModule,
    SagaMetricsModule.forRoot(),
  ],
})
export class AppModule {}
