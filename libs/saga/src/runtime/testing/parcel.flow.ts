import { Injectable } from '@nestjs/common';
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

/** What the handlers do: refuse to ship, or hold the packing until `gate` resolves. */
export const parcelBehaviour = { shipping: 'ok' as 'ok' | 'refuse', gate: Promise.resolve() };

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
    return { box: `box-${input.parcel}` };
  }

  @Compensate(Parcel.task.pack)
  unpack() {}

  @Task(Parcel.task.ship)
  ship() {
    if (parcelBehaviour.shipping === 'refuse') throw new TaskRejectedError('no van today');
    return { van: 'v1' };
  }
}
