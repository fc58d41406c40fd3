import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { SagaAdmin } from '../admin/saga-admin';
import { Compensate, quorum, Saga, Step, Task } from '../decorators';
import { defineSaga, task } from '../definition/saga-contract';
import type { SagaState } from '../definition/saga-view';
import { SagaStalledError } from '../errors/saga-outcome.error';
import { TaskRejectedError } from '../errors/task-rejected.error';
import { SagaModule } from '../saga.module';
import { SagaClient } from './saga.client';

/** One process, memory transport and store: a flow that composes its answer and asks two of three carriers. */
const Freight = defineSaga('freight', {
  tasks: {
    quoteAcme: task<{ kg: number }, { eur: number }>({ attempts: 1 }),
    quoteGlobex: task<{ kg: number }, { eur: number }>({ attempts: 1 }),
    quoteInitech: task<{ kg: number }, { eur: number }>({ attempts: 1 }),
    book: task<{ eur: number }, { ref: string }>(),
  },
  result: (s) => {
    if (fault.result) throw new Error('the carrier field moved');
    return { ref: s.out('book').ref, eur: cheapest(s) };
  },
});

type FreightState = SagaState<typeof Freight>;
type Quoted = 'quoteAcme' | 'quoteGlobex' | 'quoteInitech';
const fault = { result: false, rejected: '' };
const undone: string[] = [];

/** The cheapest of the quotes that came back (typed apart from the contract, which uses it in its `result`). */
function cheapest(s: { out(task: Quoted): { eur: number } }): number {
  const quotes = (['quoteAcme', 'quoteGlobex', 'quoteInitech'] as const).flatMap((task: Quoted) => {
    try {
      return [s.out(task).eur];
    } catch {
      return [];
    }
  });
  return Math.min(...quotes);
}

@Saga(Freight)
class FreightSaga {
  @Step(1, ['quoteAcme', 'quoteGlobex', 'quoteInitech'], { aggregator: quorum(2) })
  quotes() {
    return { quoteAcme: { kg: 5 }, quoteGlobex: { kg: 5 }, quoteInitech: { kg: 5 } };
  }

  @Step(2, ['book'])
  booking(s: FreightState) {
    return { book: { eur: cheapest(s) } };
  }
}

@Injectable()
class Carriers {
  private quote(carrier: string, eur: number) {
    if (fault.rejected === carrier) throw new TaskRejectedError(`${carrier} does not ship there`);
    return { eur };
  }

  @Task(Freight.task.quoteAcme)
  acme() {
    return this.quote('acme', 30);
  }
  @Compensate(Freight.task.quoteAcme)
  undoAcme() {
    undone.push('acme');
  }

  @Task(Freight.task.quoteGlobex)
  globex() {
    return this.quote('globex', 20);
  }
  @Compensate(Freight.task.quoteGlobex)
  undoGlobex() {
    undone.push('globex');
  }

  @Task(Freight.task.quoteInitech)
  initech() {
    return this.quote('initech', 25);
  }
  @Compensate(Freight.task.quoteInitech)
  undoInitech() {
    undone.push('initech');
  }

  @Task(Freight.task.book)
  book(input: { eur: number }) {
    return { ref: `B-${input.eur}` };
  }
  @Compensate(Freight.task.book)
  unbook() {
    undone.push('book');
  }
}

describe("a flow's result and a quorum step, through SagaClient", () => {
  let moduleRef: TestingModule;
  let client: SagaClient;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [SagaModule.forRoot({ waitMs: 5_000 })],
      providers: [FreightSaga, Carriers],
    }).compile();
    await moduleRef.init();
    client = moduleRef.get(SagaClient);
  });

  afterAll(() => moduleRef.close());

  beforeEach(() => {
    Object.assign(fault, { result: false, rejected: '' });
    undone.length = 0;
  });

  it('answers what the contract composes, and moves on with two quotes of three', async () => {
    fault.rejected = 'globex';
    const done = await client.run(Freight, {});
    expect(done.result).toEqual({ ref: 'B-25', eur: 25 });
    const status = await client.status(done.sagaId);
    expect(status.result).toEqual(done.result);
    expect(status.steps[0]).toMatchObject({ name: 'quotes', status: 'succeeded' });
    expect(status.steps[0].tasks.map((t) => t.status)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(undone).toEqual([]);
  });

  it('stalls with every effect kept when the result throws, and an operator resumes it once fixed', async () => {
    Object.assign(fault, { result: true, rejected: 'globex' });
    const error = await client.run(Freight, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SagaStalledError);
    const { sagaId } = error as SagaStalledError;
    const stalled = await client.status(sagaId);
    expect(stalled.stall).toMatchObject({ step: 'booking', error: { name: 'SagaResultError' } });
    expect(undone).toEqual([]);

    fault.result = false;
    const resumed = await moduleRef.get(SagaAdmin).resume(sagaId, { by: 'ops', reason: 'result fixed' });
    expect(resumed).toMatchObject({ status: 'completed', result: { ref: 'B-25', eur: 25 } });
    expect(undone).toEqual([]);
  });
});
