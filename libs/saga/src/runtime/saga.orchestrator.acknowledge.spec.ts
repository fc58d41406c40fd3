import { Test, type TestingModule } from '@nestjs/testing';
import { TransientFaultError } from '../errors/transient-fault.error';
import { SagaModule } from '../saga.module';
import { MemoryTransport } from '../transport/memory/memory.transport';
import type { ReplyMessage, TaskMessage } from '../transport/saga-messages';
import type { SagaTransport } from '../transport/saga-transport.interface';
import { eventually } from '../transport/saga-transport.contract';
import { SagaClient } from './saga.client';
import { SagaTimerSweeper } from './saga-timer.sweeper';
import { Parcel, PARCEL_PROVIDERS, resetParcelBehaviour } from './testing/parcel.flow';

/**
 * A worker's reply is acknowledged once the transition it causes is committed, not once the broker confirmed
 * the commands that transition sends: those are in the outbox, and whatever is not confirmed goes out with the
 * outbox sweep.
 */
/** What becomes of the next publish of the `ship` command. */
let shipSend: 'hold' | 'fail' | 'pass' = 'pass';
let releaseShip: () => void = () => undefined;
/** Replies of `pack` handed to the orchestrator, and those its handler had resolved (acknowledged). */
const packReplies = { delivered: 0, acknowledged: 0 };

/** The memory transport, with the `ship` command's publish held or failed once, and `pack` replies counted. */
function observedTransport(): SagaTransport {
  const transport = new MemoryTransport({ redeliveryDelayMs: 5 });
  return new Proxy(transport, {
    get(target, property, receiver) {
      if (property === 'sendTask') {
        return async (message: TaskMessage) => {
          const fate = message.task === 'ship' ? shipSend : 'pass';
          if (message.task === 'ship') shipSend = 'pass';
          if (fate === 'fail') throw new TransientFaultError('the broker did not confirm in time');
          if (fate === 'hold') await new Promise<void>((resolve) => (releaseShip = resolve));
          await target.sendTask(message);
        };
      }
      if (property === 'consumeReplies') {
        return (...[flow, handler, options]: Parameters<SagaTransport['consumeReplies']>) =>
          target.consumeReplies(
            flow,
            async (reply: ReplyMessage) => {
              const pack = reply.kind === 'run' && reply.task === 'pack';
              if (pack) packReplies.delivered++;
              await handler(reply);
              if (pack) packReplies.acknowledged++;
            },
            options,
          );
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const SHIPPED = { pack: { box: 'box-p-1' }, ship: { van: 'v1' } };

describe('SagaOrchestrator: a reply is acknowledged once its transition is committed', () => {
  let moduleRef: TestingModule;
  let transport: SagaTransport;

  beforeEach(async () => {
    resetParcelBehaviour();
    packReplies.delivered = 0;
    packReplies.acknowledged = 0;
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
      providers: PARCEL_PROVIDERS,
    }).compile();
    await moduleRef.init();
  });

  afterEach(async () => {
    releaseShip();
    await moduleRef.close();
    await transport.close();
  });

  it('before the broker confirmed the commands it sends', async () => {
    shipSend = 'hold';
    const result = moduleRef.get(SagaClient).run(Parcel, { parcel: 'p-1' });
    await eventually(() => packReplies.acknowledged === 1, 'the pack reply acknowledged', 5_000);
    // The next step's command is still unconfirmed.
    releaseShip();
    await expect(result).resolves.toMatchObject({ status: 'completed', result: SHIPPED });
    expect(packReplies.delivered).toBe(1);
  });

  it('and a command the broker did not confirm goes out with the outbox sweep, the reply not delivered again', async () => {
    shipSend = 'fail';
    const result = moduleRef.get(SagaClient).run(Parcel, { parcel: 'p-1' });
    await eventually(() => packReplies.acknowledged === 1, 'the pack reply acknowledged', 5_000);
    // The sweep republishes an outbox left for 5 s; its clock is moved past that instead of waiting.
    await moduleRef.get(SagaTimerSweeper).sweep(Date.now() + 6_000);
    await expect(result).resolves.toMatchObject({ status: 'completed', result: SHIPPED });
    expect(packReplies.delivered).toBe(1);
  });
});
