import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SagaClient, SagaModule } from '@dta/saga';
import { hostChild } from '../child-host';
import { benchSagaOptions } from '../dta/bench-saga.options';
import { shapeFromEnv } from './saga-shape';
import { scalingContract } from './scaling.contract';

/** Long enough for a 30-step saga on a loaded machine; a saga still running after it counts as an error. */
const WAIT_MS = 120_000;

/** Starts generated sagas with `SagaClient.run` and waits for each result, pushed back over the bus. */
hostChild(async () => {
  const contract = scalingContract(shapeFromEnv());
  class ScalingDriverModule {}
  Module({
    imports: [
      SagaModule.forRoot(
        benchSagaOptions('driver', { orchestrate: false, workers: false, contracts: [contract] }),
      ),
    ],
  })(ScalingDriverModule);
  const app = await NestFactory.createApplicationContext(ScalingDriverModule);
  const client = app.get(SagaClient);
  return {
    runSaga: async (i) => {
      await client.run(contract, { n: i }, { mode: 'sync', waitMs: WAIT_MS });
    },
    stop: () => app.close(),
  };
});
