import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { BookingSagaModule, distributedSagaModule } from '@dta/booking';

/** Runs the aggregators of the booking flow (any number of replicas); hosts no task. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    distributedSagaModule({ workers: false }),
    BookingSagaModule,
  ],
})
export class AppModule {}
