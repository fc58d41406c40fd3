import { Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { IsString } from 'class-validator';
import { Compensate, Saga, Step, Task } from '../../decorators';
import { defineSaga, task } from '../../definition/saga-contract';
import type { SagaView } from '../../engine/saga-plan';
import { TaskRejectedError } from '../../errors/task-rejected.error';

/**
 * A two-step flow for the runtime's specs (observers, metrics): `pack` (compensable), then `ship` (not),
 * each one attempt. What the handlers do is set per test in {@link parcelBehaviour}.
 */
export class ParcelInput {
  @IsString()
  parcel!: string;
}

export const Parcel = defineSaga('parcel', {
  input: ParcelInput,
  tasks: {
    pack: task<ParcelInput, { box: string }>({ attempts: 1 }),
    ship: task<{ box: string }, { van: string }>({ attempts: 1, compensable: false }),
  },
});

/**
 * What the handlers do: ship, refuse to (`TaskRejectedError`), break down (an `Error`) every time or once; and
 * hold the packing until `gate` resolves.
 */
export const parcelBehaviour = {
  shipping: 'ok' as 'ok' | 'refuse' | 'break down' | 'break down once',
  gate: Promise.resolve(),
};

/** Back to shipping and packing at once. */
export function resetParcelBehaviour(): void {
  Object.assign(parcelBehaviour, { shipping: 'ok', gate: Promise.resolve() });
}

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

@Injectable()
export class ParcelTasks {
  @Task(Parcel.task.pack)
  async pack(input: ParcelInput) {
    await parcelBehaviour.gate;
    // The handler's own instrumented call (a no-op without an OpenTelemetry SDK): it nests under the task's span.
    trace.getTracer('parcel-app').startSpan('label printer').end();
    return { box: `box-${input.parcel}` };
  }

  @Compensate(Parcel.task.pack)
  unpack() {}

  @Task(Parcel.task.ship)
  ship() {
    const { shipping } = parcelBehaviour;
    if (shipping === 'ok') return { van: 'v1' };
    if (shipping === 'refuse') throw new TaskRejectedError('no van today');
    if (shipping === 'break down once') parcelBehaviour.shipping = 'ok';
    throw new Error('the van broke down');
  }
}

/** What an app hosting the whole flow provides: its aggregator and its tasks. */
export const PARCEL_PROVIDERS = [ParcelSaga, ParcelTasks];
