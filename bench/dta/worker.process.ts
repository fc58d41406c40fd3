import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SagaModule } from '@dta/saga';
import { hostChild } from '../child-host';
import { BenchBookingTasks } from './bench-booking.tasks';
import { benchSagaOptions } from './bench-saga.options';

/** The four task handlers (no-ops) of the bench flow, behind the library's task worker and barrier. */
@Module({
  imports: [SagaModule.forRoot(benchSagaOptions('worker', { orchestrate: false }))],
  providers: [BenchBookingTasks],
})
class BenchWorkerModule {}

hostChild(async () => {
  const app = await NestFactory.createApplicationContext(BenchWorkerModule);
  return { stop: () => app.close() };
});
