import { Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { IsString } from 'class-validator';
import { defineSaga, Saga, type SagaView, Step, Task, task } from '@dta/saga';

/** The input of the traced flow. */
export class ParcelInput {
  @IsString()
  parcel!: string;
}

/** A two-step flow whose tasks run in another process than its orchestrator (test/tracing.e2e-spec.ts). */
export const Parcel = defineSaga('traced-parcel', {
  input: ParcelInput,
  tasks: {
    pack: task<ParcelInput, { box: string }>({ attempts: 1, compensable: false }),
    ship: task<{ box: string }, { van: string }>({ attempts: 1, compensable: false }),
  },
});

/** The aggregator: runs in the test process. */
@Saga(Parcel)
export class ParcelSaga {
  @Step(1, ['pack'])
  packing(s: SagaView) {
    return { pack: s.input };
  }

  @Step(2, ['ship'])
  shipping(s: SagaView) {
    return { ship: s.out('pack') };
  }
}

/** The tasks: run in the worker process (test/support/tracing/tracing-worker.ts). */
@Injectable()
export class ParcelTasks {
  @Task(Parcel.task.pack)
  pack(input: ParcelInput) {
    // The handler's own instrumented call, which must nest under the task's span.
    trace.getTracer('parcel-worker').startSpan('label printer').end();
    return { box: `box-${input.parcel}` };
  }

  @Task(Parcel.task.ship)
  ship() {
    return { van: 'v1' };
  }
}
