import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { Compensate, Saga, Step, Task } from '../decorators';
import { defineSaga, task } from '../definition/saga-contract';
import type { SagaView } from '../engine/saga-plan';
import type { CompensationContext } from '../interfaces/task-context.interface';
import { SagaTester } from '../testing/saga-tester';
import { SagaTestingModule } from '../testing/saga-testing.module';
import { SagaClient } from './saga.client';

/**
 * A run that outlives its compensation: the compensation claims the task while the handler still runs, the
 * saga ends compensated, and then the handler takes its effect. The worker must undo that effect, and keep
 * trying while the undo fails: an effect is never left behind a compensated saga.
 */
class RoomInput {
  @IsString()
  room!: string;
}

const Hold = defineSaga('hold-room', {
  input: RoomInput,
  tasks: {
    // One attempt of 100 ms: past it the saga compensates, and the compensation claims the task 50 ms in.
    reserve: task<RoomInput, { reservation: string }>({ timeout: '100ms', attempts: 1 }),
  },
});

/** Rooms held now: what the effect is, as the hotel sees it. */
const held = new Set<string>();
const undos: string[] = [];
let release: () => void = () => undefined;
let undoFailures = 0;

@Saga(Hold)
class HoldSaga {
  @Step(1, ['reserve'])
  reserve(s: SagaView) {
    return { reserve: s.input };
  }
}

@Injectable()
class HoldTasks {
  @Task(Hold.task.reserve)
  async reserve(input: RoomInput) {
    await new Promise<void>((resolve) => (release = resolve));
    held.add(input.room);
    return { reservation: `r-${input.room}` };
  }

  @Compensate(Hold.task.reserve)
  unreserve(ctx: CompensationContext<RoomInput, { reservation: string }>) {
    undos.push(`${ctx.outcome}:${ctx.output?.reservation ?? '-'}`);
    if (ctx.outcome === 'succeeded' && undoFailures-- > 0) throw new Error('hotel unreachable');
    held.delete(ctx.input.room);
  }
}

describe('TaskWorker: a run that finishes after its compensation', () => {
  let moduleRef: TestingModule;

  beforeEach(async () => {
    held.clear();
    undos.length = 0;
    moduleRef = await Test.createTestingModule({
      imports: [SagaTestingModule.forRoot()],
      providers: [HoldSaga, HoldTasks],
    }).compile();
    await moduleRef.init();
  });

  afterEach(() => moduleRef.close());

  /** Starts a saga whose handler hangs, and waits until its compensation (told: outcome unknown) ended it. */
  async function compensatedWhileRunning(room: string): Promise<void> {
    const { sagaId } = await moduleRef.get(SagaClient).start(Hold, { room });
    const status = await moduleRef.get(SagaTester).settled(sagaId);
    expect(status.status).toBe('compensated');
    expect(undos).toEqual(['unknown:-']);
  }

  async function until(done: () => boolean): Promise<void> {
    for (let waited = 0; !done(); waited += 10) {
      if (waited > 5_000) throw new Error(`not reached in 5 s: ${undos.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('undoes the effect it takes, with the output it returned', async () => {
    undoFailures = 0;
    await compensatedWhileRunning('101');
    release();
    await until(() => undos.length === 2);
    expect(undos[1]).toBe('succeeded:r-101');
    expect(held.has('101')).toBe(false);
  });

  it('keeps trying an undo that fails, until the effect is gone', async () => {
    undoFailures = 2;
    await compensatedWhileRunning('102');
    release();
    await until(() => !held.has('102') && undos.length === 4);
    expect(undos).toEqual(['unknown:-', 'succeeded:r-102', 'succeeded:r-102', 'succeeded:r-102']);
  });
});
