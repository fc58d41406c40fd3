import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsInt, Min } from 'class-validator';
import { Compensate, Saga, Step, Task } from '../decorators';
import { defineSaga, task } from '../definition/saga-contract';
import type { SagaView } from '../engine/saga-plan';
import {
  SagaCompensatedError,
  SagaStalledError,
  SagaInputError,
  SagaWaitExceededError,
} from '../errors/saga-outcome.error';
import { TaskRejectedError } from '../errors/task-rejected.error';
import { TransientFaultError } from '../errors/transient-fault.error';
import type { CompensationContext } from '../interfaces/task-context.interface';
import { SagaAdmin } from '../admin/saga-admin';
import { SagaModule } from '../saga.module';
import { SagaClient } from './saga.client';
import { createServer, type ServerResponse } from 'node:http';
import { verifyCallbackSignature } from '../callbacks/callback.signature';
import type { AddressInfo } from 'node:net';
import { SAGA_TRANSPORT } from '../saga.constants';
import type { LifecycleEvent } from '../transport/saga-messages';
import type { SagaTransport } from '../transport/saga-transport.interface';

const CALLBACK_SECRET = 'spec-callback-secret';

/** One process, memory transport and store: the runtime end to end, with faults the handlers inject. */
class ShipInput {
  @IsInt()
  @Min(1)
  parcels!: number;
}

const Ship = defineSaga('ship', {
  input: ShipInput,
  events: ['rollback', 'compensated'],
  tasks: {
    pack: task<ShipInput, { box: string }>({
      attempts: 3,
      // Long enough for a retry even on a loaded machine; the exact count is the engine spec's, on a manual clock.
      compensationHorizon: '400ms',
      backoff: { delay: '10ms' },
    }),
    label: task<ShipInput, { label: string }>({ timeout: '150ms', attempts: 2, backoff: { delay: '10ms' } }),
    pickUp: task<{ box: string }, { van: string }>({ attempts: 1 }),
  },
});

/** What each handler does, per test. */
const behaviour = {
  packing: 0,
  mostPacking: 0,
  packFailures: 0,
  labelHangs: false,
  labelMs: 0,
  packBigInt: false,
  pickUp: 'ok' as 'ok' | 'reject',
  unpackFailures: 0,
  pause: Promise.resolve(),
};
const calls: string[] = [];

@Saga(Ship)
class ShipSaga {
  @Step(1, ['pack', 'label'])
  prepare(s: SagaView) {
    return { pack: s.input, label: s.input };
  }

  @Step(2, ['pickUp'])
  collect(s: SagaView) {
    return { pickUp: s.out('pack') };
  }
}

@Injectable()
class ShipTasks {
  @Task(Ship.task.pack)
  async pack(input: ShipInput) {
    calls.push('pack');
    behaviour.mostPacking = Math.max(behaviour.mostPacking, ++behaviour.packing);
    await behaviour.pause.finally(() => behaviour.packing--);
    if (behaviour.packFailures-- > 0) throw new Error('tape ran out');
    if (behaviour.packBigInt) return { box: BigInt(input.parcels) } as unknown as { box: string };
    return { box: `box-of-${input.parcels}` };
  }

  @Compensate(Ship.task.pack)
  unpack(ctx: CompensationContext<ShipInput, { box: string }>) {
    calls.push(`unpack:${ctx.outcome}:${ctx.output?.box}`);
    if (behaviour.unpackFailures-- > 0) throw new Error('stuck');
  }

  @Task(Ship.task.label)
  async label() {
    calls.push('label');
    if (behaviour.labelHangs) {
      behaviour.labelHangs = false;
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    if (behaviour.labelMs > 0) await new Promise((resolve) => setTimeout(resolve, behaviour.labelMs));
    return { label: 'L1' };
  }

  @Compensate(Ship.task.label)
  unlabel(ctx: CompensationContext) {
    calls.push(`unlabel:${ctx.outcome}`);
  }

  @Task(Ship.task.pickUp)
  pickUp(input: { box: string }) {
    calls.push(`pickUp:${input.box}`);
    if (behaviour.pickUp === 'reject') throw new TaskRejectedError('no van today', { vans: 0 });
    return { van: 'V1' };
  }

  @Compensate(Ship.task.pickUp)
  cancelPickUp() {
    calls.push('cancelPickUp');
  }
}

describe('saga runtime (one process, memory transport and store)', () => {
  let moduleRef: TestingModule;
  let client: SagaClient;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [SagaModule.forRoot({ sweepIntervalMs: 10, waitMs: 5_000 })],
      providers: [ShipSaga, ShipTasks],
    }).compile();
    await moduleRef.init();
    client = moduleRef.get(SagaClient);
  });

  afterAll(() => moduleRef.close());

  beforeEach(() => {
    Object.assign(behaviour, {
      packFailures: 0,
      labelHangs: false,
      labelMs: 0,
      packBigInt: false,
      pickUp: 'ok',
      unpackFailures: 0,
      pause: Promise.resolve(),
    });
    calls.length = 0;
  });

  it('runs steps in order, passing outputs on, and retries a failing task', async () => {
    behaviour.packFailures = 2;
    const result = await client.run(Ship, { parcels: 3 }, { traceId: 'trace-1' });
    expect(result).toMatchObject({ status: 'completed', traceId: 'trace-1' });
    expect(result.result).toEqual({
      pack: { box: 'box-of-3' },
      label: { label: 'L1' },
      'pick-up': { van: 'V1' },
    });
    const status = await client.status(result.sagaId);
    expect(status.steps[0].tasks.find((t) => t.name === 'pack')).toMatchObject({
      status: 'succeeded',
      attempts: 3,
    });
    expect(calls.filter((c) => c === 'pack')).toHaveLength(3);
    expect(calls).toContain('pickUp:box-of-3');
  });

  it('retries an attempt that outran its timeout; the retry waits for it instead of running beside it', async () => {
    behaviour.labelHangs = true;
    const result = await client.run(Ship, { parcels: 1 });
    expect(result.status).toBe('completed');
    const status = await client.status(result.sagaId);
    expect(status.steps[0].tasks.find((t) => t.name === 'label')).toMatchObject({
      status: 'succeeded',
      attempts: 2,
    });
    expect(calls.filter((c) => c === 'label')).toHaveLength(1);
  });

  it('run() answers once the saga ended, without waiting for the broker to confirm the start', async () => {
    const transport = moduleRef.get<SagaTransport>(SAGA_TRANSPORT);
    const send = transport.sendStart.bind(transport);
    // The start is delivered, but its confirm never comes (as when RabbitMQ waits for a disk sync).
    const unconfirmed = jest.spyOn(transport, 'sendStart').mockImplementation(async (message) => {
      await send(message);
      await new Promise(() => undefined);
    });
    try {
      await expect(client.run(Ship, { parcels: 1 })).resolves.toMatchObject({ status: 'completed' });
    } finally {
      unconfirmed.mockRestore();
    }
  });

  it('run() throws when the start cannot be published, and waits for no answer', async () => {
    const transport = moduleRef.get<SagaTransport>(SAGA_TRANSPORT);
    const down = jest
      .spyOn(transport, 'sendStart')
      .mockRejectedValueOnce(new TransientFaultError('RabbitMQ did not confirm a message'));
    try {
      await expect(client.run(Ship, { parcels: 1 }, { waitMs: 3_600_000 })).rejects.toThrow(
        'did not confirm',
      );
    } finally {
      down.mockRestore();
    }
  });

  it('answers a duplicated command of a slow task with the output of the first run: one run, no rollback', async () => {
    const transport = moduleRef.get<SagaTransport>(SAGA_TRANSPORT);
    const send = transport.sendTask.bind(transport);
    const duplicate = jest.spyOn(transport, 'sendTask').mockImplementation(async (message) => {
      await send(message);
      if (message.task === 'label') await send(message);
    });
    behaviour.labelMs = 100;
    try {
      const result = await client.run(Ship, { parcels: 4 });
      expect(result.status).toBe('completed');
    } finally {
      duplicate.mockRestore();
    }
    expect(calls.filter((c) => c === 'label')).toHaveLength(1);
    expect(calls.some((c) => c.startsWith('unlabel'))).toBe(false);
  });

  it('compensates a task whose output is not JSON (a BigInt), with outcome unknown, and never runs it again', async () => {
    behaviour.packBigInt = true;
    const error = await client.run(Ship, { parcels: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SagaCompensatedError);
    // The caller learns which task and what kind of error; the text is for operators only.
    expect((error as SagaCompensatedError).failure).toEqual({
      step: 'prepare',
      task: 'pack',
      error: { name: 'TaskOutputError', message: 'TaskOutputError: the details are in the operator status' },
    });
    expect(calls.filter((c) => c === 'pack')).toHaveLength(1);
    expect(calls).toContain('unpack:unknown:undefined');
    const sagaId = (error as SagaCompensatedError).sagaId;
    const status = await client.status(sagaId);
    expect(status.steps[0].tasks.find((t) => t.name === 'pack')).toMatchObject({
      status: 'unknown',
      error: { name: 'TaskOutputError', message: 'TaskOutputError: the details are in the operator status' },
      compensation: { status: 'succeeded', outcome: 'unknown' },
    });
    const full = await moduleRef.get(SagaAdmin).status(sagaId);
    expect(full.failure?.error.message).toContain('not JSON');
  });

  it('compensates earlier steps when a task is rejected, retrying a failing compensation', async () => {
    behaviour.pickUp = 'reject';
    behaviour.unpackFailures = 1;
    const error = await client.run(Ship, { parcels: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SagaCompensatedError);
    const rolledBack = error as SagaCompensatedError;
    expect(rolledBack.failure).toMatchObject({
      step: 'collect',
      task: 'pick-up',
      error: { message: 'no van today', details: { vans: 0 } },
    });
    expect([...rolledBack.compensated].sort()).toEqual(['label', 'pack']);
    expect(calls).not.toContain('cancelPickUp');
    expect(calls.filter((c) => c === 'unpack:succeeded:box-of-2')).toHaveLength(2);
    const status = await client.status(rolledBack.sagaId);
    expect(status.status).toBe('compensated');
    expect(status.failure?.error.details).toEqual({ vans: 0 });
    expect(status.steps.map((s) => s.status)).toEqual(['compensated', 'failed']);
  });

  it('stalls when a compensation keeps failing', async () => {
    behaviour.pickUp = 'reject';
    behaviour.unpackFailures = 1000;
    const error = await client.run(Ship, { parcels: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SagaStalledError);
    const status = await client.status((error as SagaStalledError).sagaId);
    expect(status.status).toBe('stalled');
    const compensation = status.steps[0].tasks.find((t) => t.name === 'pack')?.compensation;
    expect(compensation?.status).toBe('failed');
    // Retried within the horizon, then given up: the saga waits for an operator.
    expect(compensation?.attempts).toBeGreaterThanOrEqual(2);
  });

  it('refuses invalid input before anything starts, with one message per field', async () => {
    const body = { parcels: 0, extra: true }; // as a caller might send it
    const error = await client.run(Ship, body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SagaInputError);
    expect((error as SagaInputError).fields).toEqual(
      expect.arrayContaining([
        { field: 'parcels', messages: ['parcels must not be less than 1'] },
        { field: 'extra', messages: ['property extra should not exist'] },
      ]),
    );
    expect((error as SagaInputError).fields).toHaveLength(2);
    expect(calls).toEqual([]);
  });

  it('start() returns once the saga is stored; the caller of a slow run() gets the id and the saga finishes', async () => {
    let release!: () => void;
    behaviour.pause = new Promise((resolve) => (release = resolve));
    const handle = await client.start(Ship, { parcels: 1 });
    expect((await client.status(handle.sagaId)).status).toBe('running');

    const waited = await client.run(Ship, { parcels: 1 }, { waitMs: 50 }).catch((e: unknown) => e);
    expect(waited).toBeInstanceOf(SagaWaitExceededError);
    release();
    const sagaId = (waited as SagaWaitExceededError).sagaId;
    await expect(eventually(async () => (await client.status(sagaId)).status)).resolves.toBe('completed');
  });

  it('gives the same saga for a repeated idempotency key', async () => {
    const first = await client.run(Ship, { parcels: 1 }, { idempotencyKey: 'order-77' });
    const second = await client.run(Ship, { parcels: 1 }, { idempotencyKey: 'order-77' });
    expect(second.sagaId).toBe(first.sagaId);
    expect(calls.filter((c) => c === 'pack')).toHaveLength(1);
  });
});

describe('saga modes (one process, memory transport and store)', () => {
  let moduleRef: TestingModule;
  let client: SagaClient;
  let transport: SagaTransport;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        SagaModule.forRoot({
          sweepIntervalMs: 10,
          waitMs: 5_000,
          maxConcurrent: 2,
          callbackHosts: ['127.0.0.1'],
          callbackAllowPrivate: true,
          callbackSecret: CALLBACK_SECRET,
        }),
      ],
      providers: [ShipSaga, ShipTasks],
    }).compile();
    await moduleRef.init();
    client = moduleRef.get(SagaClient);
    transport = moduleRef.get<SagaTransport>(SAGA_TRANSPORT);
  });

  afterAll(() => moduleRef.close());

  beforeEach(() => {
    Object.assign(behaviour, {
      packing: 0,
      mostPacking: 0,
      packFailures: 0,
      labelHangs: false,
      labelMs: 0,
      packBigInt: false,
      pickUp: 'ok',
      unpackFailures: 0,
    });
    calls.length = 0;
  });

  it('throttled: queues a burst and runs at most maxConcurrent sagas at once, all to completion', async () => {
    let release!: () => void;
    behaviour.pause = new Promise((resolve) => (release = resolve));
    const runs = Array.from({ length: 12 }, () => client.run(Ship, { parcels: 1 }, { mode: 'throttled' }));
    await eventually(
      async () => behaviour.packing,
      (n) => n === 2,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(behaviour.packing).toBe(2);
    release();
    const results = await Promise.all(runs);
    expect(results.every((r) => r.status === 'completed')).toBe(true);
    expect(new Set(results.map((r) => r.sagaId)).size).toBe(12);
    expect(behaviour.mostPacking).toBe(2);
  });

  it('async: POSTs the terminal result to the callback URL, retrying until it answers 2xx', async () => {
    const received: { status: number; body: unknown; traceId?: string; signed: boolean }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const status = received.length === 0 ? 503 : 200;
        const signature = req.headers['x-dta-signature'] as string | undefined;
        const signed = verifyCallbackSignature(CALLBACK_SECRET, signature, body);
        received.push({
          status,
          body: JSON.parse(body),
          traceId: req.headers['x-request-id'] as string,
          signed,
        });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const handle = await client.start(
        Ship,
        { parcels: 2 },
        { traceId: 'cb-1', callbackUrl: `http://127.0.0.1:${port}/done` },
      );
      await eventually(
        async () => received.length,
        (n) => n === 2,
      );
      expect(received.map((r) => r.status)).toEqual([503, 200]);
      expect(received[1]).toMatchObject({
        traceId: 'cb-1',
        signed: true,
        body: { sagaId: handle.sagaId, status: 'completed', kind: 'finished' },
      });
    } finally {
      server.close();
    }
  });

  it('a receiver that never answers does not delay the callback of another receiver', async () => {
    const held: ServerResponse[] = [];
    const hanging = createServer((_req, res) => held.push(res)); // accepts, answers only when the test ends
    const arrived: string[] = [];
    const quick = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        arrived.push(req.url ?? '');
        res.writeHead(200).end();
      });
    });
    const listen = (server: typeof quick) =>
      new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
      );
    const [slowPort, quickPort] = [await listen(hanging), await listen(quick)];
    try {
      await client.start(Ship, { parcels: 1 }, { callbackUrl: `http://127.0.0.1:${slowPort}/x` });
      await eventually(
        async () => held.length,
        (n) => n === 1,
      );
      await client.start(Ship, { parcels: 1 }, { callbackUrl: `http://127.0.0.1:${quickPort}/x` });
      await eventually(
        async () => arrived.length,
        (n) => n === 1,
      );
      // The other receiver got its callback while the hanging one still holds its POST unanswered.
      expect(held[0].writableEnded).toBe(false);
    } finally {
      held.forEach((res) => res.writeHead(200).end());
      hanging.close();
      quick.close();
    }
  });

  it('publishes a rollback event with the trace id when compensation begins, and only the events its contract names', async () => {
    const events: LifecycleEvent[] = [];
    // Every event of the flow: `started` and `step-completed` would come first, were they published.
    await transport.consumeEvents('spec', ['ship.#'], async (event) => {
      events.push(event);
    });
    behaviour.pickUp = 'reject';
    await client.run(Ship, { parcels: 1 }, { traceId: 'undo-me' }).catch(() => undefined);
    await eventually(
      async () => events.length,
      (n) => n === 2,
    );
    expect(events.map((e) => [e.type, e.traceId, e.step, e.task])).toEqual([
      ['rollback', 'undo-me', 'collect', 'pick-up'],
      ['compensated', 'undo-me', 'collect', 'pick-up'],
    ]);
  });
});

async function eventually<T>(
  read: () => Promise<T>,
  until = (v: T) => v === 'completed',
  deadlineMs = 3_000,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await read();
    if (until(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
