import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SagaModule } from '@dta/saga';
import { hostChild } from '../child-host';
import { benchSagaOptions } from '../dta/bench-saga.options';
import { shapeFromEnv } from './saga-shape';
import { scalingContract } from './scaling.contract';
import { scalingSagaClass } from './scaling.saga';

/** The orchestrator of the generated flow, shaped by `BENCH_SAGA_SHAPE`: its `@Saga` class, no task handlers. */
hostChild(async () => {
  const shape = shapeFromEnv();
  const contract = scalingContract(shape);
  class ScalingOrchestratorModule {}
  Module({
    imports: [
      SagaModule.forRoot(benchSagaOptions('orchestrator', { workers: false, contracts: [contract] })),
    ],
    providers: [scalingSagaClass(contract, shape)],
  })(ScalingOrchestratorModule);
  const app = await NestFactory.createApplicationContext(ScalingOrchestratorModule);
  return { stop: () => app.close() };
});
