import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SagaModule } from '@dta/saga';
import { hostChild } from '../child-host';
import { BenchBookingSaga } from './bench-booking.saga';
import { benchSagaOptions } from './bench-saga.options';

/** The orchestrator alone: the `@Saga` class, no task handlers. Its RSS is what the bench reports. */
@Module({
  imports: [SagaModule.forRoot(benchSagaOptions('orchestrator', { workers: false }))],
  providers: [BenchBookingSaga],
})
class BenchOrchestratorModule {}

hostChild(async () => {
  const app = await NestFactory.createApplicationContext(BenchOrchestratorModule);
  return { stop: () => app.close() };
});
