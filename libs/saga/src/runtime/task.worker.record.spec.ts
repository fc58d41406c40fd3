import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import type { BarrierStore } from '../barrier/barrier-store.interface';
import { Saga, Step, Task } from '../decorators';
import { defineSaga, task } from '../definition/saga-contract';
import type { Json } from '../engine/saga-state';
import type { SagaView } from '../engine/saga-plan';
import { SagaModule } from '../saga.module';
import { MemorySagaStore } from '../store/memory-saga.store';
import { MemoryTransport } from '../transport/memory/memory.transport';
import { SagaClient } from './saga.client';

/**
 * A run's success is replied while the barrier stores its record, not after: the saga moves on one store
 * round trip sooner, and the command stays unacknowledged until the record is stored, so that a worker that
 * dies before it hands the command back to the broker.
 */
class NoteInput {
  @IsString()
  note!: string;
}

const Notes = defineSaga('notes', {
  input: NoteInput,
  tasks: { write: task<NoteInput, { written: string }>({ timeout: '5s', attempts: 1, compensable: false }) },
});

@Saga(Notes)
class NotesSaga {
  @Step(1, ['write'])
  write(s: SagaView) {
    return { write: s.input };
  }
}

@Injectable()
class NoteTasks {
  @Task(Notes.task.write)
  write(input: NoteInput) {
    return { written: input.note };
  }
}

/** The barrier's records in memory; writing a finished run's record waits until `release` is called. */
class SlowRecords implements BarrierStore {
  readonly records = new MemorySagaStore();
  private gate = Promise.resolve();
  release: () => void = () => undefined;
  fail: (error: Error) => void = () => undefined;

  hold(): void {
    this.gate = new Promise<void>((resolve, reject) => {
      this.release = resolve;
      this.fail = reject;
    });
  }

  getDocument(key: string) {
    return this.records.getDocument(key);
  }

  async putDocument(key: string, value: Json, expectedVersion: number, ttlMs?: number) {
    if ((value as { state?: string }).state === 'done') await this.gate;
    return this.records.putDocument(key, value, expectedVersion, ttlMs);
  }
}

describe('TaskWorker: recording a success', () => {
  let moduleRef: TestingModule;
  const records = new SlowRecords();
  /** Task commands the worker's handler finished with (the transport acknowledges each), and failed. */
  let settledCommands = 0;
  let failedCommands = 0;

  beforeEach(async () => {
    settledCommands = 0;
    failedCommands = 0;
    const transport = new MemoryTransport();
    const consumeTasks = transport.consumeTasks.bind(transport);
    transport.consumeTasks = (flow, name, handler, options) =>
      consumeTasks(
        flow,
        name,
        (message) =>
          handler(message).then(
            () => void settledCommands++,
            (error: unknown) => {
              failedCommands++;
              throw error;
            },
          ),
        options,
      );
    moduleRef = await Test.createTestingModule({
      imports: [SagaModule.forRoot({ transport, store: 'memory', oneProcess: true, barrierStore: records })],
      providers: [NotesSaga, NoteTasks],
    }).compile();
    await moduleRef.init();
  });

  afterEach(() => moduleRef.close());

  async function until(done: () => boolean): Promise<void> {
    for (let waited = 0; !done(); waited += 10) {
      if (waited > 5_000) throw new Error('not reached in 5 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('replies before the record is stored, and holds the command until it is', async () => {
    records.hold();
    const result = await moduleRef.get(SagaClient).run(Notes, { note: 'hello' });
    expect(result).toMatchObject({ status: 'completed' });
    // The saga ended on the reply while the record still waits: the command is not acknowledged yet.
    expect(settledCommands).toBe(0);
    records.release();
    await until(() => settledCommands === 1);
    const stored = await records.records.getDocument(`barrier:{${result.sagaId}}:write`);
    expect(stored?.value).toMatchObject({ state: 'done', output: { written: 'hello' } });
  });

  it('fails the command, so that the broker hands it back, when the record cannot be stored', async () => {
    records.hold();
    await moduleRef.get(SagaClient).run(Notes, { note: 'lost' });
    records.fail(new Error('disk full'));
    await until(() => failedCommands >= 1);
    expect(settledCommands).toBe(0);
  });
});
