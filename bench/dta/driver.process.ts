import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SagaClient, SagaModule } from '@dta/saga';
import { hostChild } from '../child-host';
import { BenchBooking, benchProduct } from './bench-booking.contract';
import { benchSagaOptions } from './bench-saga.options';

/** Long enough for the soak run's slowest saga; a saga still running after it counts as an error. */
const WAIT_MS = 120_000;

/** Starts sagas with `SagaClient.run`: the result is pushed back to this instance over the bus. */
@Module({
  imports: [SagaModule.forRoot(benchSagaOptions('driver', { orchestrate: false, workers: false }))],
})
class BenchDriverModule {}

hostChild(async () => {
  const app = await NestFactory.createApplicationContext(BenchDriverModule);
  const client = app.get(SagaClient);
  return {
    runSaga: async (i, products) => {
      await client.run(
        BenchBooking,
        { productId: benchProduct(i, products), quantity: 1 + (i % 3) },
        { mode: 'sync', waitMs: WAIT_MS },
      );
    },
    stop: () => app.close(),
  };
});
