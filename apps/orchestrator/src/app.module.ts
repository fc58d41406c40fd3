import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { BookingSagaModule, distributedSagaModule } from '@dta/booking';
import { SagaHealthModule } from '@dta/saga/health';
import { SagaMetricsModule } from '@dta/saga/metrics';

/** Runs the aggregators of the booking flow (any number of replicas); hosts no task. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    distributedSagaModule({ workers: false }),
    BookingSagaModule,
    SagaHealthModule,
    SagaMetricsModule.forRoot(),
  ],
})
export class AppModule {}
