import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Compensate, Saga, Step, Task } from '../decorators';
import { defineSaga, task } from '../definition/saga-contract';
import type { SagaView } from '../engine/saga-plan';
import type { CompensationContext } from '../interfaces/task-context.interface';
import { SagaModule } from '../saga.module';
import { SagaClient } from './saga.client';

/**
 * A handler outruns its timeout, the saga is compensated meanwhile, and then the handler takes its effect on
 * a worker that cannot undo it and stops. On RabbitMQ and Redis, with two worker processes' worth of
 * applications: the stopping worker hands the command back to the broker, and the other one undoes the effect.
 * Before, the command was acknowledged at the timeout and the effect stayed behind the compensated saga.
 */
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const INSTANCE = Symbol('instance');

const Hold = defineSaga(`hold-${randomUUID().slice(0, 8)}`, {
  tasks: {
    // One attempt of 100 ms: past it the saga compensates, and the compensation claims the task 50 ms in.
    reserve: task<{ room: string }, { reservation: string }>({ timeout: '100ms', attempts: 1 }),
  },
});

/** The hotel, as every worker sees it: rooms held, and each undo tried (`<worker>:<outcome>`). */
const hotel = { held: new Set<string>(), undos: [] as string[], release: (): void => undefined };

@Saga(Hold)
class HoldSaga {
  @Step(1, ['reserve'])
  reserve(s: SagaView) {
    return { reserve: s.input };
  }
}

@Injectable()
class HoldTasks {
  constructor(@Inject(INSTANCE) private readonly instance: string) {}

  @Task(Hold.task.reserve)
  async reserve(input: { room: string }) {
    await new Promise<void>((resolve) => (hotel.release = resolve));
    hotel.held.add(input.room);
    return { reservation: `r-${input.room}` };
  }

  @Compensate(Hold.task.reserve)
  unreserve(ctx: CompensationContext<{ room: string }, { reservation: string }>) {
    hotel.undos.push(`${this.instance}:${ctx.outcome}`);
    // Worker a lost its way to the hotel after the handler's effect.
    if (ctx.outcome === 'succeeded' && this.instance === 'a') throw new Error('hotel unreachable from a');
    hotel.held.delete(ctx.input.room);
  }
}

async function until(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  for (let waited = 0; !(await done()); waited += 20) {
    if (waited > 10_000) throw new Error(`${what}: not reached in 10 s (undos: ${hotel.undos.join(', ')})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('TaskWorker on RabbitMQ and Redis: a late effect whose worker stops before undoing it', () => {
  const prefix = `dta-late-${randomUUID()}`;
  const apps: TestingModule[] = [];

  async function app(instance: string): Promise<TestingModule> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        SagaModule.forRoot({
          transport: 'rabbitmq',
          amqpUrl: AMQP_URL,
          store: 'redis',
          redisUrl: REDIS_URL,
          prefix,
          sweepIntervalMs: 20,
        }),
      ],
      providers: [HoldSaga, HoldTasks, { provide: INSTANCE, useValue: instance }],
    }).compile();
    await moduleRef.init();
    apps.push(moduleRef);
    return moduleRef;
  }

  afterAll(async () => {
    for (const moduleRef of apps) await moduleRef.close();
  });

  it('is undone by the next delivery of its command, on another worker', async () => {
    const a = await app('a');
    const client = a.get(SagaClient);
    const { sagaId } = await client.start(Hold, { room: '201' });
    await until('saga compensated', async () => (await client.status(sagaId)).status === 'compensated');
    expect(hotel.undos).toEqual(['a:unknown']);

    hotel.release(); // the handler takes its effect after all; a cannot undo it
    await until('a tried to undo', () => hotel.undos.includes('a:succeeded'));
    expect(hotel.held.has('201')).toBe(true);

    await app('b');
    await a.close(); // a stops, still holding the command
    apps.splice(apps.indexOf(a), 1);

    await until('the effect undone', () => !hotel.held.has('201'));
    expect(hotel.undos.at(-1)).toBe('b:succeeded');
    expect((await apps[0].get(SagaClient).status(sagaId)).status).toBe('compensated');
  }, 30_000);
});
