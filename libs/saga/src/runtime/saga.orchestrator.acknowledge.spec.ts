import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { Saga, Step, Task } from '../decorators';
import { defineSaga, task } from '../definition/saga-contract';
import type { SagaView } from '../engine/saga-plan';
import { TransientFaultError } from '../errors/transient-fault.error';
import { SagaModule } from '../saga.module';
import { MemoryTransport } from '../transport/memory/memory.transport';
import type { ReplyMessage, TaskMessage } from '../transport/saga-messages';
import type { SagaTransport } from '../transport/saga-transport.interface';
import { SagaClient } from './saga.client';
import { SagaTimerSweeper } from './saga-timer.sweeper';

/**
 * A worker's reply is acknowledged once the transition it causes is committed, not once the broker confirmed
 * the commands that transition sends: those are in the outbox, and whatever is not confirmed goes out with the
 * outbox sweep.
 */
class ParcelInput {
  @IsString()
  parcel!: string;
}

const Post = defineSaga('post-parcel', {
  input: ParcelInput,
  tasks: {
    weigh: task<ParcelInput, { grams: number }>({ compensable: false }),
    stamp: task<{ grams: number }, { stamp: string }>({ compensable: false }),
  },
});

@Saga(Post)
class PostSaga {
  @Step(1, ['weigh'])
  weigh(s: SagaView) {
    return { weigh: s.input };
  }

  @Step(2, ['stamp'])
  stamp(s: SagaView) {
    return { stamp: s.out('weigh') };
  }
}

@Injectable()
class PostTasks {
  @Task(Post.task.weigh)
  weigh() {
    return { grams: 250 };
  }

  @Task(Post.task.stamp)
  stamp(input: { grams: number }) {
    return { stamp: `${input.grams}g` };
  }
}

/** What becomes of the next publish of the `stamp` command. */
let stampSend: 'hold' | 'fail' | 'pass' = 'pass';
let releaseStamp: () => void = () => undefined;
/** Replies of `weigh` handed to the orchestrator, and those its handler had resolved (acknowledged). */
const weighReplies = { delivered: 0, acknowledged: 0 };

/** The memory transport, with the `stamp` command's publish held or failed once, and `weigh` replies counted. */
function observedTransport(): SagaTransport {
  const transport = new MemoryTransport({ redeliveryDelayMs: 5 });
  return new Proxy(transport, {
    get(target, property, receiver) {
      if (property === 'sendTask') {
        return async (message: TaskMessage) => {
          const fate = message.task === 'stamp' ? stampSend : 'pass';
          if (message.task === 'stamp') stampSend = 'pass';
          if (fate === 'fail') throw new TransientFaultError('the broker did not confirm in time');
          if (fate === 'hold') await new Promise<void>((resolve) => (releaseStamp = resolve));
          await target.sendTask(message);
        };
      }
      if (property === 'consumeReplies') {
        return (...[flow, handler, options]: Parameters<SagaTransport['consumeReplies']>) =>
          target.consumeReplies(
            flow,
            async (reply: ReplyMessage) => {
              const weigh = reply.kind === 'run' && reply.task === 'weigh';
              if (weigh) weighReplies.delivered++;
              await handler(reply);
              if (weigh) weighReplies.acknowledged++;
            },
            options,
          );
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const STAMPED = { weigh: { grams: 250 }, stamp: { stamp: '250g' } };

async function until(what: string, done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 10) {
    if (waited > 5_000) throw new Error(`${what}: not reached in 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('SagaOrchestrator: a reply is acknowledged once its transition is committed', () => {
  let moduleRef: TestingModule;
  let transport: SagaTransport;

  beforeEach(async () => {
    weighReplies.delivered = 0;
    weighReplies.acknowledged = 0;
    transport = observedTransport();
    moduleRef = await Test.createTestingModule({
      imports: [
        SagaModule.forRoot({
          transport,
          store: 'memory',
          oneProcess: true,
          sweepIntervalMs: 10,
          waitMs: 5_000,
        }),
      ],
      providers: [PostSaga, PostTasks],
    }).compile();
    await moduleRef.init();
  });

  afterEach(async () => {
    releaseStamp();
    await moduleRef.close();
    await transport.close();
  });

  it('before the broker confirmed the commands it sends', async () => {
    stampSend = 'hold';
    const result = moduleRef.get(SagaClient).run(Post, { parcel: 'p-1' });
    await until('the weigh reply acknowledged', () => weighReplies.acknowledged === 1);
    // The next step's command is still unconfirmed.
    releaseStamp();
    await expect(result).resolves.toMatchObject({ status: 'completed', result: STAMPED });
    expect(weighReplies.delivered).toBe(1);
  });

  it('and a command the broker did not confirm goes out with the outbox sweep, the reply not delivered again', async () => {
    stampSend = 'fail';
    const result = moduleRef.get(SagaClient).run(Post, { parcel: 'p-2' });
    await until('the weigh reply acknowledged', () => weighReplies.acknowledged === 1);
    // The sweep republishes an outbox left for 5 s; its clock is moved past that instead of waiting.
    await moduleRef.get(SagaTimerSweeper).sweep(Date.now() + 6_000);
    await expect(result).resolves.toMatchObject({ status: 'completed', result: STAMPED });
    expect(weighReplies.delivered).toBe(1);
  });
});
