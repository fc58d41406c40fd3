import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { Compensate, Saga, Step, Task } from '../decorators';
import { defineSaga, task } from '../definition/saga-contract';
import { SagaActionRefusedError } from '../errors/saga-action-refused.error';
import { SagaInputError, SagaNotFoundError, SagaStalledError } from '../errors/saga-outcome.error';
import { TaskRejectedError } from '../errors/task-rejected.error';
import type { SagaModuleOptions } from '../interfaces/saga-module-options.interface';
import type { SagaStatusView } from '../interfaces/saga-status.interface';
import { SagaClient } from '../runtime/saga.client';
import { SagaModule } from '../saga.module';
import { SagaAdmin } from './saga-admin';

/**
 * Operator recovery end to end, on whatever transport and store the caller passes: a flow whose second step
 * stalls, whose compensations fail on demand, and every `SagaAdmin` action on it. Run by `saga-admin.spec.ts`
 * (memory) and `saga-admin.int-spec.ts` (RabbitMQ + Redis).
 */
export function describeSagaAdmin(name: string, options: () => SagaModuleOptions): void {
  // A flow name of its own: queues on a shared broker never see another run's messages.
  const Mend = defineSaga(`mend-${randomUUID().slice(0, 8)}`, {
    tasks: {
      cut: task<unknown, { piece: string }>({ backoff: { delay: '10ms' } }),
      sew: task<unknown, { seam: string }>({ attempts: 1 }),
      dye: task<unknown, { colour: string }>({ compensationHorizon: '60ms', backoff: { delay: '10ms' } }),
      fold: task<unknown, { folded: boolean }>({ attempts: 1 }),
    },
  });

  const world = {
    sewBroken: false,
    uncutRefuses: false,
    undyeFails: false,
    foldRejects: false,
    foldMs: 0,
    undone: [] as string[],
  };

  @Saga(Mend)
  class MendSaga {
    @Step(1, ['cut'])
    cutting() {
      return { cut: null };
    }

    @Step(2, ['sew', 'dye'], { onFailure: 'stall' })
    sewing() {
      return { sew: null, dye: null };
    }

    @Step(3, ['fold'])
    folding() {
      return { fold: null };
    }
  }

  @Injectable()
  class MendTasks {
    @Task(Mend.task.cut)
    cut() {
      return { piece: 'p1' };
    }

    @Compensate(Mend.task.cut)
    uncut() {
      if (world.uncutRefuses) throw new TaskRejectedError('the scissors are locked');
      world.undone.push('cut');
    }

    @Task(Mend.task.sew)
    sew() {
      if (world.sewBroken) throw new TaskRejectedError('needle broken');
      return { seam: 'straight' };
    }

    @Compensate(Mend.task.sew)
    unsew() {
      world.undone.push('sew');
    }

    @Task(Mend.task.dye)
    dye() {
      return { colour: 'blue' };
    }

    @Compensate(Mend.task.dye)
    undye() {
      if (world.undyeFails) throw new Error('bleach ran out');
      world.undone.push('dye');
    }

    @Task(Mend.task.fold)
    async fold() {
      if (world.foldMs > 0) await new Promise((resolve) => setTimeout(resolve, world.foldMs));
      if (world.foldRejects) throw new TaskRejectedError('too creased');
      return { folded: true };
    }

    @Compensate(Mend.task.fold)
    unfold() {
      world.undone.push('fold');
    }
  }

  describe(`SagaAdmin (${name})`, () => {
    let moduleRef: TestingModule;
    let client: SagaClient;
    let admin: SagaAdmin;
    const by = { by: 'alice', reason: 'fixed the machine' };

    beforeAll(async () => {
      moduleRef = await Test.createTestingModule({
        imports: [SagaModule.forRoot({ sweepIntervalMs: 10, waitMs: 10_000, ...options() })],
        providers: [MendSaga, MendTasks],
      }).compile();
      await moduleRef.init();
      client = moduleRef.get(SagaClient);
      admin = moduleRef.get(SagaAdmin);
    });

    afterAll(() => moduleRef.close());

    beforeEach(() => {
      Object.assign(world, {
        sewBroken: false,
        uncutRefuses: false,
        undyeFails: false,
        foldRejects: false,
        foldMs: 0,
        undone: [],
      });
    });

    /** Runs a saga until it stalls and its other tasks settle (a sibling may still run); returns its id. */
    async function stalled(): Promise<string> {
      const error = await client.run(Mend, {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SagaStalledError);
      const { sagaId } = error as SagaStalledError;
      await until(sagaId, (view) =>
        view.steps.every((s) =>
          s.tasks.every((t) => t.status !== 'running' && t.compensation?.status !== 'running'),
        ),
      );
      return sagaId;
    }

    async function until(sagaId: string, done: (view: SagaStatusView) => boolean): Promise<SagaStatusView> {
      for (let i = 0; i < 500; i++) {
        const view = await admin.status(sagaId);
        if (done(view)) return view;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`saga ${sagaId} did not get there`);
    }

    /** Polls the saga until it is completed or compensated. */
    function ended(sagaId: string): Promise<SagaStatusView> {
      return until(sagaId, (view) => view.status === 'completed' || view.status === 'compensated');
    }

    it('stops at a stall step with the other outputs kept; retry of the faulty task completes it', async () => {
      world.sewBroken = true;
      const sagaId = await stalled();
      const view = await admin.status(sagaId);
      expect(view.stall).toMatchObject({ phase: 'forward', step: 'sewing', task: 'sew' });
      expect(view.steps[1].tasks.map((t) => t.status)).toEqual(['failed', 'succeeded']);
      world.sewBroken = false;
      await admin.retry(sagaId, 'sew', by);
      const done = await ended(sagaId);
      expect(done.status).toBe('completed');
      expect(done.steps.flatMap((s) => s.tasks.map((t) => `${t.name}#${t.attempts}`))).toEqual([
        'cut#1',
        'sew#2',
        'dye#1',
        'fold#1',
      ]);
      expect(done.history).toMatchObject([{ action: 'retry', task: 'sew', ...by }]);
    });

    it('skip marks the faulty task done by hand with its output', async () => {
      world.sewBroken = true;
      const sagaId = await stalled();
      await admin.skip(sagaId, 'sew', { ...by, output: { seam: 'by hand' } });
      const done = await ended(sagaId);
      expect(done.status).toBe('completed');
      expect(done.steps[1].tasks[0]).toMatchObject({ output: { seam: 'by hand' }, skipped: true });
    });

    it('compensate rolls a stalled saga back', async () => {
      world.sewBroken = true;
      const sagaId = await stalled();
      await admin.compensate(sagaId, by);
      const done = await ended(sagaId);
      expect(done.status).toBe('compensated');
      expect(world.undone.sort()).toEqual(['cut', 'dye']);
    });

    it('stalls when a compensation refuses, and resume ends it compensated once it is fixed', async () => {
      world.foldRejects = true;
      world.uncutRefuses = true;
      const sagaId = await stalled();
      const view = await admin.status(sagaId);
      expect(view.stall).toMatchObject({ phase: 'compensation', step: 'cutting', task: 'cut' });
      expect(view.failure).toMatchObject({ step: 'folding', task: 'fold' });
      await expect(admin.cancel(sagaId, by)).rejects.toThrow(SagaActionRefusedError);
      world.uncutRefuses = false;
      await admin.resume(sagaId, by);
      expect((await ended(sagaId)).status).toBe('compensated');
      expect(world.undone).toContain('cut');
    });

    it('stalls when a compensation keeps failing past its horizon; retry of it completes the rollback', async () => {
      world.foldRejects = true;
      world.undyeFails = true;
      const sagaId = await stalled();
      const view = await admin.status(sagaId);
      expect(view.stall).toMatchObject({ phase: 'compensation', task: 'dye' });
      const undye = view.steps[1].tasks[1].compensation;
      expect(undye?.status).toBe('failed');
      expect(undye?.attempts).toBeGreaterThan(1);
      world.undyeFails = false;
      await admin.retry(sagaId, 'dye', by);
      expect((await ended(sagaId)).status).toBe('compensated');
      expect(world.undone.sort()).toEqual(['cut', 'dye', 'sew']);
    });

    it('cancel compensates a running saga', async () => {
      world.foldMs = 300;
      const { sagaId } = await client.start(Mend, {});
      await until(sagaId, (view) => view.steps[2].tasks[0].status === 'running');
      await admin.cancel(sagaId, { by: 'bob', reason: 'customer called' });
      const done = await ended(sagaId);
      expect(done.status).toBe('compensated');
      expect(done.failure?.error).toMatchObject({ message: 'cancelled by bob: customer called' });
      expect(world.undone.sort()).toEqual(['cut', 'dye', 'fold', 'sew']);
      const events = done.timeline.map((e) => e.event);
      expect(events).toContain('action');
      expect(events.at(-1)).toBe('compensated');
    });

    it('lists sagas by flow and status from the index, stalled ones among them', async () => {
      world.sewBroken = true;
      const sagaId = await stalled();
      const page = await admin.list({ flow: Mend.name, status: 'stalled' });
      expect(page.sagas.map((s) => s.id)).toContain(sagaId);
      expect(page.sagas.every((s) => s.status === 'stalled' && s.flow === Mend.name)).toBe(true);
      expect(page.sagas.find((s) => s.id === sagaId)).toMatchObject({ step: 'sewing' });
      await admin.compensate(sagaId, by);
      await ended(sagaId);
      const after = await admin.list({ flow: Mend.name, status: 'stalled' });
      expect(after.sagas.map((s) => s.id)).not.toContain(sagaId);
      const compensated = await admin.list({ flow: Mend.name, status: 'compensated', limit: 500 });
      expect(compensated.sagas.map((s) => s.id)).toContain(sagaId);
    });

    it('refuses what does not apply, naming the state, and changes nothing', async () => {
      world.sewBroken = true;
      const sagaId = await stalled();
      const before = await admin.status(sagaId);
      const refused = await admin.cancel(sagaId, by).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SagaActionRefusedError);
      expect(refused).toMatchObject({ status: 'stalled', action: 'cancel' });
      expect((refused as Error).message).toContain("stalled at step 'sewing'");
      await expect(admin.retry(sagaId, 'nope', by)).rejects.toThrow(SagaInputError);
      await expect(admin.resume(sagaId, { by: '', reason: 'x' })).rejects.toThrow(SagaInputError);
      await expect(admin.resume(randomUUID(), by)).rejects.toThrow(SagaNotFoundError);
      expect((await admin.status(sagaId)).timeline).toEqual(before.timeline);
    });
  });
}
