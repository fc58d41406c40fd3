import { Injectable, type Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { status } from '@grpc/grpc-js';
import { Saga, Step, Task } from '../../decorators';
import { defineSaga, task } from '../../definition/saga-contract';
import type { SagaView } from '../../engine/saga-plan';
import { MissingCompensationError } from '../../errors/saga-definition.error';
import { SagaCompensatedError } from '../../errors/saga-outcome.error';
import { TaskRejectedError } from '../../errors/task-rejected.error';
import type { CompensationContext, TaskContext } from '../../interfaces/task-context.interface';
import { SagaClient } from '../../runtime/saga.client';
import { SagaModule } from '../../saga.module';
import { RelayCallFailedError } from '../errors/relay-call-failed.error';
import { RelayDefinitionError } from '../errors/relay-definition.error';
import { RelaySupersededError } from '../errors/relay-superseded.error';
import { SagaRelayModule } from '../saga-relay.module';
import type { TaskRelay } from '../task-relay';
import { LedgerService, RelayTestServer } from '../testing/relay-test.server';
import { GRPC_FAILURE_KINDS } from './grpc-failure-kinds';
import { grpcTask } from './grpc-task';
import type { GrpcTaskOptions } from './grpc-task.options';

type Entry = { entryId: string; amount: number };
type Receipt = { receipt: string };

const TIMEOUT_MS = 400;
const Ledger = defineSaga('ledger', {
  tasks: {
    applyEntry: task<Entry, Receipt>({ timeout: TIMEOUT_MS, attempts: 2, backoff: { delay: '10ms' } }),
    close: task<{ fail: boolean }, void>({ compensable: false, attempts: 1 }),
  },
});

const SAGA_ID = '6f1c2a9e-0d4b-4c3e-9a51-7b2f8e6d1c30';
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

function runContext(attempt = 1): TaskContext {
  return {
    sagaId: SAGA_ID,
    traceId: TRACE_ID,
    flow: 'ledger',
    step: 'apply',
    task: 'apply-entry',
    attempt,
  };
}

function compensationContext(): CompensationContext<Entry, Receipt> {
  return { ...runContext(), input: { entryId: 'e-1', amount: 5 }, outcome: 'unknown' };
}

describe('grpcTask: a task served by a plain gRPC service (a real grpc-js server)', () => {
  const server = new RelayTestServer();
  const relays: TaskRelay<Entry, Receipt>[] = [];

  const options = (over: Partial<GrpcTaskOptions<Entry, Receipt>> = {}): GrpcTaskOptions<Entry, Receipt> => ({
    service: LedgerService,
    address: () => server.address,
    run: { method: 'Apply' },
    compensate: { method: 'Undo', request: (ctx) => ({ entryId: ctx.input.entryId }) },
    ...over,
  });
  const relayOf = (over: Partial<GrpcTaskOptions<Entry, Receipt>> = {}): TaskRelay<Entry, Receipt> => {
    const Relay = grpcTask(Ledger.task.applyEntry, options(over));
    const relay = new Relay();
    relay.onModuleInit();
    relays.push(relay);
    return relay;
  };
  const fail = (code: status, details = `fails with ${status[code]}`) => ({ error: { code, details } });

  beforeAll(() => server.start());
  afterAll(() => server.stop());
  beforeEach(() => server.reset());
  afterEach(() => {
    for (const relay of relays.splice(0)) relay.onApplicationShutdown();
  });

  it('calls the method with the idempotency key, the trace id, a traceparent and the attempt deadline', async () => {
    const relay = relayOf({
      run: {
        method: 'Apply',
        response: (res: { receipt: string }, input) => ({ receipt: `${res.receipt}/${input.entryId}` }),
      },
    });
    const before = Date.now();
    const output = await relay.run({ entryId: 'e-1', amount: 5 }, runContext());
    const after = Date.now();

    expect(output).toEqual({ receipt: 'r-1/e-1' });
    const [call] = server.calls('Apply');
    expect(call.request).toEqual({ entryId: 'e-1', amount: 5 });
    expect(call.metadata).toMatchObject({
      'x-idempotency-key': `${SAGA_ID}:apply-entry`,
      'x-request-id': TRACE_ID,
      traceparent: expect.stringMatching(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`)),
    });
    // The deadline is the end of the attempt's timeout, counted from when the handler began.
    expect(call.deadline).toBeGreaterThan(call.at);
    expect(call.deadline).toBeGreaterThanOrEqual(before + TIMEOUT_MS - 50);
    expect(call.deadline).toBeLessThanOrEqual(after + TIMEOUT_MS + 50);
  });

  it('maps the request with `run.request`, given the task input and context', async () => {
    const relay = relayOf({
      run: {
        method: 'Apply',
        request: (input, ctx) => ({ entryId: `${input.entryId}@${ctx.attempt}`, amount: 1 }),
      },
    });
    await relay.run({ entryId: 'e-2', amount: 5 }, runContext(2));
    expect(server.calls('Apply')[0].request).toEqual({ entryId: 'e-2@2', amount: 1 });
  });

  const rejected = Object.entries(GRPC_FAILURE_KINDS)
    .filter(([, kind]) => kind === 'rejected')
    .map(([code]) => Number(code) as status);
  it.each(rejected.map((code) => [status[code], code]))(
    '%s fails the task for good: TaskRejectedError with the status in its details, asked once',
    async (name, code) => {
      server.apply = () => fail(code, 'card declined');
      const error = await relayOf()
        .run({ entryId: 'e-3', amount: 5 }, runContext())
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskRejectedError);
      expect(error).toMatchObject({
        message: `relaytest.Ledger/Apply answered ${name}: card declined`,
        details: { grpcStatus: name, grpcCode: code, grpcDetails: 'card declined' },
      });
      expect(server.calls('Apply')).toHaveLength(1);
    },
  );

  it.each([
    ['RESOURCE_EXHAUSTED', status.RESOURCE_EXHAUSTED],
    ['ABORTED', status.ABORTED],
  ])('%s fails the attempt (a plain error: the task policy retries it), asked once', async (name, code) => {
    server.apply = () => fail(code);
    const error = await relayOf()
      .run({ entryId: 'e-4', amount: 5 }, runContext())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayCallFailedError);
    expect(error).not.toBeInstanceOf(TaskRejectedError);
    expect(error).toMatchObject({ details: { grpcStatus: name } });
    expect(server.calls('Apply')).toHaveLength(1);
  });

  it.each([
    ['UNAVAILABLE', status.UNAVAILABLE],
    ['INTERNAL', status.INTERNAL],
    ['UNKNOWN', status.UNKNOWN],
    ['CANCELLED', status.CANCELLED],
    ['DATA_LOSS', status.DATA_LOSS],
  ])('%s may have taken effect: asked again with the same key until the service answers', async (_, code) => {
    server.apply = (n) => (n < 2 ? fail(code) : { reply: { receipt: 'r-after' } });
    const output = await relayOf().run({ entryId: 'e-5', amount: 5 }, runContext());
    expect(output).toEqual({ receipt: 'r-after' });
    const keys = server.calls('Apply').map((c) => c.metadata['x-idempotency-key']);
    expect(keys).toEqual([`${SAGA_ID}:apply-entry`, `${SAGA_ID}:apply-entry`, `${SAGA_ID}:apply-entry`]);
  });

  it('a deadline exceeded is asked again (never a failed attempt), and a later refusal still fails for good', async () => {
    server.apply = (n) =>
      n === 0
        ? { waitMs: TIMEOUT_MS * 2, then: { reply: { receipt: 'late' } } }
        : fail(status.FAILED_PRECONDITION, 'voided');
    const error = await relayOf()
      .run({ entryId: 'e-6', amount: 5 }, runContext())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskRejectedError);
    expect((error as TaskRejectedError).message).toContain('FAILED_PRECONDITION: voided');
    expect(server.calls('Apply')).toHaveLength(2);
  });

  it('a failure that says "not acted" after one that may have acted is asked again, not ended on', async () => {
    server.apply = (n) =>
      n === 0
        ? fail(status.INTERNAL)
        : n === 1
          ? fail(status.RESOURCE_EXHAUSTED)
          : { reply: { receipt: 'r-3' } };
    expect(await relayOf().run({ entryId: 'e-7', amount: 5 }, runContext())).toEqual({ receipt: 'r-3' });
    expect(server.calls('Apply')).toHaveLength(3);
  });

  it('`failures` overrides a code: UNAVAILABLE as retryable ends the attempt at once', async () => {
    server.apply = () => fail(status.UNAVAILABLE);
    const error = await relayOf({ failures: { [status.UNAVAILABLE]: 'retryable' } })
      .run({ entryId: 'e-8', amount: 5 }, runContext())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayCallFailedError);
    expect(server.calls('Apply')).toHaveLength(1);
  });

  it('a compensation here stops a run that is still asking (the compensation undoes whatever it did)', async () => {
    server.apply = () => fail(status.INTERNAL);
    const relay = relayOf();
    const running = relay.run({ entryId: 'e-9', amount: 5 }, runContext()).catch((e: unknown) => e);
    while (server.calls('Apply').length === 0) await new Promise((resolve) => setImmediate(resolve));
    await relay.compensate(compensationContext());
    expect(await running).toBeInstanceOf(RelaySupersededError);
    expect(server.calls('Undo')).toHaveLength(1);
  });

  describe('compensate', () => {
    it('calls the compensating method with its own key, the trace id and a deadline', async () => {
      await relayOf().compensate(compensationContext());
      const [call] = server.calls('Undo');
      expect(call.request).toEqual({ entryId: 'e-1' });
      expect(call.metadata).toMatchObject({
        'x-idempotency-key': `${SAGA_ID}:apply-entry:compensate`,
        'x-request-id': TRACE_ID,
        traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/),
      });
      expect(call.deadline).toBeGreaterThan(call.at);
    });

    it('a refusal is TaskRejectedError (the saga stalls for an operator); any other failure is retried', async () => {
      server.undo = () => fail(status.PERMISSION_DENIED, 'closed account');
      await expect(relayOf().compensate(compensationContext())).rejects.toBeInstanceOf(TaskRejectedError);
      server.undo = () => fail(status.DEADLINE_EXCEEDED);
      const error = await relayOf()
        .compensate(compensationContext())
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RelayCallFailedError);
      expect(error).not.toBeInstanceOf(TaskRejectedError);
    });
  });

  describe('definition', () => {
    it('refuses a method the service does not have, naming the relay and the unary methods', () => {
      expect(() => grpcTask(Ledger.task.applyEntry, options({ run: { method: 'Aply' } }))).toThrow(
        new RelayDefinitionError(
          "grpcTask(ledger/apply-entry): service relaytest.Ledger has no method 'Aply'. Known: Apply, Undo. Fix the method name of the relay (grpcTask run/compensate).",
        ),
      );
    });

    it('refuses a streaming method', () => {
      expect(() => grpcTask(Ledger.task.applyEntry, options({ run: { method: 'Watch' } }))).toThrow(
        RelayDefinitionError,
      );
    });

    it('names the provider class after the task', () => {
      expect(grpcTask(Ledger.task.applyEntry, options()).name).toBe('ApplyEntryGrpcRelay');
    });
  });
});

describe('grpcTask in a saga (memory transport and store): the relay is discovered as a task host', () => {
  const server = new RelayTestServer();

  @Saga(Ledger)
  class LedgerSaga {
    @Step(1, ['applyEntry'])
    apply(s: SagaView) {
      return { applyEntry: s.input };
    }

    @Step(2, ['close'])
    finish(s: SagaView) {
      return { close: { fail: (s.input as { failClose?: boolean }).failClose === true } };
    }
  }

  @Injectable()
  class CloseTasks {
    @Task(Ledger.task.close)
    close(input: { fail: boolean }) {
      if (input.fail) throw new TaskRejectedError('books closed');
    }
  }

  let moduleRef: TestingModule | undefined;
  const boot = async (relay: Type) => {
    const compiled = await Test.createTestingModule({
      imports: [SagaModule.forRoot({ waitMs: 5_000 }), SagaRelayModule.register([relay])],
      providers: [LedgerSaga, CloseTasks],
    }).compile();
    moduleRef = compiled;
    await compiled.init();
    return compiled.get(SagaClient);
  };

  beforeAll(() => server.start());
  afterAll(() => server.stop());
  beforeEach(() => server.reset());
  afterEach(async () => {
    await moduleRef?.close().catch(() => undefined);
    moduleRef = undefined;
  });

  const relay = () =>
    grpcTask(Ledger.task.applyEntry, {
      service: LedgerService,
      address: () => server.address,
      run: { method: 'Apply' },
      compensate: { method: 'Undo', request: (ctx) => ({ entryId: ctx.input.entryId }) },
    });

  it('completes with the service output; a failing later step makes the relay call Undo once', async () => {
    const client = await boot(relay());
    const done = await client.run(Ledger, { entryId: 'e-10', amount: 3 }, { traceId: 'ledger-ok' });
    expect(done.result).toMatchObject({ 'apply-entry': { receipt: 'r-1' } });
    expect(server.calls('Undo')).toHaveLength(0);

    const error = await client
      .run(Ledger, { entryId: 'e-11', amount: 3, failClose: true }, { traceId: 'ledger-undo' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SagaCompensatedError);
    expect((error as SagaCompensatedError).compensated).toEqual(['apply-entry']);
    const undo = server.calls('Undo');
    expect(undo).toHaveLength(1);
    expect(undo[0].request).toEqual({ entryId: 'e-11' });
    expect(undo[0].metadata['x-request-id']).toBe('ledger-undo');
  });

  it('a refusal fails the task for good: the saga is compensated, the relayed task is not undone', async () => {
    server.apply = () => ({ error: { code: status.FAILED_PRECONDITION, details: 'no funds' } });
    const client = await boot(relay());
    const error = await client.run(Ledger, { entryId: 'e-12', amount: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SagaCompensatedError);
    expect((error as SagaCompensatedError).failure).toMatchObject({
      task: 'apply-entry',
      error: { message: 'relaytest.Ledger/Apply answered FAILED_PRECONDITION: no funds' },
    });
    expect(server.calls('Apply')).toHaveLength(1);
    expect(server.calls('Undo')).toHaveLength(0);
  });

  it('a relay without a compensating call of a compensable task fails the bootstrap', async () => {
    const incomplete = grpcTask(Ledger.task.applyEntry, {
      service: LedgerService,
      address: () => server.address,
      run: { method: 'Apply' },
    });
    const error = await boot(incomplete).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingCompensationError);
    expect((error as Error).message).toMatch(
      /^ApplyEntryGrpcRelay\.run: task 'ledger\/apply-entry' is compensable/,
    );
  });
});
