import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SagaModule } from '@dta/saga';
import { hostChild } from '../child-host';
import { benchSagaOptions } from '../dta/bench-saga.options';
import { shapeFromEnv } from './saga-shape';
import { scalingContract } from './scaling.contract';
import { scalingTasksClass } from './scaling.tasks';

/** The no-op handlers of the generated flow, shaped by `BENCH_SAGA_SHAPE`, behind the task worker and barrier. */
hostChild(async () => {
  const shape = shapeFromEnv();
  const contract = scalingContract(shape);
  class ScalingWorkerModule {}
  Module({
    imports: [SagaModule.forRoot(benchSagaOptions('worker', { orchestrate: false, contracts: [contract] }))],
    providers: [scalingTasksClass(contract, shape)],
  })(ScalingWorkerModule);
  const app = await NestFactory.createApplicationContext(ScalingWorkerModule);
  return { stop: () => app.close() };
});
