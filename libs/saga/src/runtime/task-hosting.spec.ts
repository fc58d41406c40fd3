import { Injectable, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Compensate, SagaCtx, SagaPayload, Saga, Step, Task } from '../decorators';
import { defineSaga, task } from '../definition/saga-contract';
import {
  UndecoratedTaskParameterError,
  UnhostedTaskError,
  UnorchestratedFlowError,
} from '../errors/task-hosting.error';
import type { TaskRunContext } from '../interfaces/task-context.interface';
import type { SagaModuleOptions } from '../interfaces/saga-module-options.interface';
import { SagaModule } from '../saga.module';
import { MemoryTransport } from '../transport/memory/memory.transport';
import { SagaClient } from './saga.client';

const Trip = defineSaga('trip', {
  tasks: { bookFlight: task<{ to: string }, { flight: string }>(), notify: task({ compensable: false }) },
});

@Saga(Trip)
class TripSaga {
  @Step(1, ['bookFlight'])
  travel() {
    return { bookFlight: { to: 'Lisbon' } };
  }

  @Step(2, ['notify'])
  tell() {
    return { notify: null };
  }
}

@Injectable()
class FlightTasks {
  @Task(Trip.task.bookFlight)
  book() {
    return { flight: 'LH1' };
  }

  @Compensate(Trip.task.bookFlight)
  cancel() {}
}

@Injectable()
class NotifyTasks {
  @Task(Trip.task.notify)
  notify() {}
}

async function boot(options: SagaModuleOptions, ...providers: Type[]) {
  const moduleRef = await Test.createTestingModule({
    imports: [SagaModule.forRoot(options)],
    providers,
  }).compile();
  try {
    await moduleRef.init();
  } finally {
    await moduleRef.close();
  }
}

describe('what one process must host (transport: memory)', () => {
  it('boots a flow whose saga and every task are here', async () => {
    await expect(boot({}, TripSaga, FlightTasks, NotifyTasks)).resolves.toBeUndefined();
  });

  it('refuses a flow with a task no @Task handler here serves, and names the step, the task and the fix', async () => {
    await expect(boot({}, TripSaga, FlightTasks)).rejects.toThrow(UnhostedTaskError);
    await expect(boot({}, TripSaga, FlightTasks)).rejects.toThrow(
      /^TripSaga: step 'tell' of saga 'trip' runs task 'notify', but no @Task handler in this application serves it.*Add a provider with @Task for 'trip\/notify'.*or use transport 'rabbitmq' or 'nats'/,
    );
  });

  it('counts no task as served with workers: false', async () => {
    await expect(boot({ workers: false }, TripSaga, FlightTasks, NotifyTasks)).rejects.toThrow(
      UnhostedTaskError,
    );
  });

  it('refuses @Task handlers of a flow no @Saga class here orchestrates, and names the fix', async () => {
    await expect(boot({}, FlightTasks, NotifyTasks)).rejects.toThrow(UnorchestratedFlowError);
    await expect(boot({}, FlightTasks, NotifyTasks)).rejects.toThrow(
      /^FlightTasks\.book: no @Saga class of flow 'trip' orchestrates it.*Add the @Saga class of 'trip'/,
    );
    await expect(boot({ orchestrate: false }, TripSaga, FlightTasks, NotifyTasks)).rejects.toThrow(
      /orchestrate: false/,
    );
  });

  it('checks nothing on a transport instance, which other apps may share', async () => {
    const transport = new MemoryTransport();
    try {
      await expect(boot({ transport }, TripSaga, FlightTasks)).resolves.toBeUndefined();
      await expect(boot({ transport }, NotifyTasks)).resolves.toBeUndefined();
    } finally {
      await transport.close();
    }
  });

  it('makes SagaClient refuse at once a flow no @Saga class here orchestrates', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [SagaModule.forRoot({ contracts: [Trip], waitMs: 60_000 })],
    }).compile();
    await moduleRef.init();
    try {
      const client = moduleRef.get(SagaClient);
      await expect(client.run(Trip, {})).rejects.toThrow(UnorchestratedFlowError);
      await expect(client.start('trip', {})).rejects.toThrow(
        /^SagaClient\.start: no @Saga class of flow 'trip' orchestrates it/,
      );
    } finally {
      await moduleRef.close();
    }
  });

  it('refuses a handler with decorated and undecorated parameters', async () => {
    @Injectable()
    class HalfDecorated {
      @Task(Trip.task.notify)
      notify(@SagaPayload() input: unknown, ctx: TaskRunContext) {
        return [input, ctx.attempt];
      }
    }
    @Injectable()
    class Decorated {
      @Task(Trip.task.notify)
      notify(@SagaCtx() ctx: TaskRunContext) {
        return ctx.attempt;
      }
    }
    await expect(boot({}, TripSaga, FlightTasks, HalfDecorated)).rejects.toThrow(
      UndecoratedTaskParameterError,
    );
    await expect(boot({}, TripSaga, FlightTasks, HalfDecorated)).rejects.toThrow(
      /^HalfDecorated\.notify: parameter 1 has no decorator/,
    );
    await expect(boot({}, TripSaga, FlightTasks, Decorated)).resolves.toBeUndefined();
  });
});
