import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConsumeMessage } from 'amqplib';
import { Booking } from '@dta/booking/booking.contract';
import { SagaTopology } from '@dta/saga';
import { validateWireMessage } from '@dta/saga/wire/wire-schemas';
import { DistributedSystem } from './support/distributed/distributed-system';
import { eventually } from './support/distributed/eventually';
import { type ExchangeTap, openExchangeTap } from './support/distributed/exchange-tap';
import type { GatewayClient } from './support/distributed/gateway-client';
import { deleteBrokerTopology } from './support/infra-cleanup';
import { AMQP_URL, REDIS_URL } from './support/e2e-infra';
import { deleteRedisKeys } from './support/infra-cleanup';
import { ensurePythonPika, PythonWorker } from './support/python-worker';

/*
 * The booking system with its reserve-stock task served by a worker in another language: gateway,
 * orchestrator, order and payment services as Node processes (no inventory service at all), and the
 * example Python worker (examples/python-worker, pika + sqlite3) on the same RabbitMQ. Every message the
 * orchestrator sends the worker and every reply it gets back is copied off the commands exchange and checked
 * against the wire schemas. DTA_E2E_LOGS=1 shows the processes' output.
 */

jest.setTimeout(60_000);

const INITIAL_STOCK = 50;
const STARTUP_MS = 100_000;

/** A message copied off the commands exchange. */
interface Tapped {
  key: string;
  body: Record<string, unknown>;
  raw: ConsumeMessage;
}

describe('a Python worker serving reserve-stock for the Node booking system', () => {
  const run = randomBytes(4).toString('hex');
  const prefix = `dta-py-${run}`;
  const names = new SagaTopology(prefix);
  const taskQueue = names.taskQueue(Booking.name, Booking.task.reserveStock.name);
  const replyQueue = names.replyQueue(Booking.name);
  const stateDir = mkdtempSync(join(tmpdir(), 'dta-python-worker-'));
  const echo = process.env.DTA_E2E_LOGS === '1';
  const worker = new PythonWorker({
    amqpUrl: AMQP_URL,
    prefix,
    stateDb: join(stateDir, 'inventory.sqlite3'),
    initialStock: INITIAL_STOCK,
    // Its own failures show quickly: a locked database fails a transaction within 200 ms, 3 deliveries at most.
    env: { DTA_DB_BUSY_TIMEOUT_MS: '200', DTA_MAX_DELIVERIES: '3', DTA_REDELIVERY_DELAY_MS: '200' },
    echo,
  });
  const system = new DistributedSystem({
    prefix,
    replicas: {
      gateway: 1,
      orchestrator: 1,
      'order-service': 1,
      'payment-service': 1,
      'inventory-service': 0,
    },
    env: {
      SAGA_TRANSPORT: 'rabbitmq',
      SAGA_STORE: 'redis',
      AMQP_URL,
      REDIS_URL,
      SAGA_WAIT_TIMEOUT_MS: '20000',
    },
    echo,
  });
  const tapped: Tapped[] = [];
  let tap: ExchangeTap | undefined;
  let gateway: GatewayClient;
  let products = 0;
  let stopped: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  const newProduct = (): string => `py-${run}-${++products}`;
  const tasksOf = (sagaId: string, kind: 'run' | 'compensate') =>
    tapped.filter((m) => m.key === taskQueue && m.body.sagaId === sagaId && m.body.kind === kind);
  const repliesOf = (sagaId: string, kind: 'run' | 'compensate') =>
    tapped.filter(
      (m) =>
        m.key === replyQueue &&
        m.body.task === 'reserve-stock' &&
        m.body.sagaId === sagaId &&
        m.body.kind === kind,
    );
  const waitForReplies = (sagaId: string, kind: 'run' | 'compensate', count: number) =>
    eventually(
      async () => repliesOf(sagaId, kind),
      (replies) => replies.length >= count,
      { timeoutMs: 15_000 },
    );

  /** Publishes on the commands exchange as any producer would (persistent, confirmed). */
  const publish = async (routingKey: string, content: Buffer, headers: Record<string, unknown>) => {
    const connection = await connect(AMQP_URL);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(names.commandsExchange, routingKey, content, {
        persistent: true,
        contentType: 'application/json',
        headers,
      });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
  };

  /** Takes every message off the dead-letter queue. */
  const drainDeadLetters = async (): Promise<{ body: string; headers: Record<string, unknown> }[]> => {
    const connection = await connect(AMQP_URL);
    try {
      const channel = await connection.createChannel();
      const dead: { body: string; headers: Record<string, unknown> }[] = [];
      for (
        let got = await channel.get(names.deadLetterQueue);
        got;
        got = await channel.get(names.deadLetterQueue)
      ) {
        dead.push({ body: got.content.toString('utf8'), headers: got.properties.headers ?? {} });
        channel.ack(got);
      }
      return dead;
    } finally {
      await connection.close();
    }
  };

  /** A task message of a saga the orchestrator never heard of, modelled on a real one. */
  const syntheticTask = (
    template: Tapped,
    sagaId: string,
    kind: 'run' | 'compensate',
    productId: string,
  ) => ({
    ...template.body,
    sagaId,
    traceId: `trace-${sagaId}`,
    kind,
    attempt: 1,
    input: { orderId: `order-${sagaId}`, productId, quantity: 4 },
    ...(kind === 'compensate' ? { outcome: 'unknown' } : {}),
  });

  beforeAll(async () => {
    ensurePythonPika();
    // The worker first: it declares the commands exchange, its task queue and the reply queue.
    await worker.start();
    tap = await openExchangeTap(AMQP_URL, names.commandsExchange, [taskQueue, replyQueue], (raw) => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw.content.toString('utf8')) as Record<string, unknown>;
      } catch {
        // the garbage this suite sends on purpose
      }
      tapped.push({ key: raw.fields.routingKey, body, raw });
    });
    await system.start();
    await system.waitUntilReady(STARTUP_MS);
    gateway = system.gateway(1);
  }, STARTUP_MS + 30_000);

  afterAll(async () => {
    try {
      await tap?.connection.close().catch(() => undefined);
      await Promise.all([system.stop(), worker.stop()]);
    } finally {
      const tasks = Object.values(Booking.task).map((t) => t.name);
      const instances = system.processes.map((p) => p.instanceId);
      if (instances.length > 0) {
        await deleteBrokerTopology('rabbitmq', prefix, { name: Booking.name, tasks }, instances);
      }
      await deleteRedisKeys(REDIS_URL, prefix);
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);

  let completedSaga: { sagaId: string; productId: string } | undefined;
  /** Saga ids of the bookings made through the gateway. */
  const booked: string[] = [];

  it("completes a booking with the Python worker's reservation in its output", async () => {
    const productId = newProduct();
    const traceId = `py-${run}-complete`;

    const answer = await gateway.book({ productId, quantity: 2 }, { traceId });

    expect(answer.status).toBe(201);
    const { sagaId } = answer.body;
    completedSaga = { sagaId, productId };
    booked.push(sagaId);
    expect(answer.body).toMatchObject({ status: 'completed', traceId });
    expect(answer.body.result?.['reserve-stock']).toEqual({
      productId,
      quantity: 2,
      available: INITIAL_STOCK - 2,
      reserved: 2,
      reservationId: `py-${sagaId}`,
      worker: 'python-inventory',
    });
    const state = await worker.state(sagaId);
    expect(state.barrier).toMatchObject([
      { saga_id: sagaId, task: 'reserve-stock', state: 'done', started: 1 },
    ]);
    expect(state.reservations).toMatchObject([{ saga_id: sagaId, product_id: productId, state: 'reserved' }]);

    // What went over the wire, both ways, is what docs/WIRE.md and the schemas say.
    const [task] = tasksOf(sagaId, 'run');
    const replies = await waitForReplies(sagaId, 'run', 1);
    expect(validateWireMessage('task', task.body)).toEqual([]);
    expect(replies).toHaveLength(1);
    const [reply] = replies;
    expect(validateWireMessage('reply', reply.body)).toEqual([]);
    expect(reply.body).toMatchObject({
      kind: 'run',
      task: 'reserve-stock',
      attempt: task.body.attempt,
      ok: true,
    });
    expect(reply.raw.properties.deliveryMode).toBe(2);
    const headers = reply.raw.properties.headers ?? {};
    expect(headers['x-request-id']).toBe(traceId);
    const traceOf = (traceparent: unknown) => String(traceparent).split('-')[1];
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(traceOf(headers.traceparent)).toBe(traceOf(task.raw.properties.headers?.traceparent));
  });

  it('applies a duplicated task message once: same reply, one reservation, stock moved once', async () => {
    expect(completedSaga).toBeDefined();
    const { sagaId, productId } = completedSaga!;
    const [task] = tasksOf(sagaId, 'run');
    const [first] = repliesOf(sagaId, 'run');

    // Two more copies of the very message the orchestrator sent, bytes and headers as they were.
    for (let i = 0; i < 2; i++) await publish(taskQueue, task.raw.content, task.raw.properties.headers ?? {});

    const replies = await waitForReplies(sagaId, 'run', 3);
    expect(replies).toHaveLength(3);
    for (const reply of replies) expect(reply.body).toEqual(first.body);
    const state = await worker.state(sagaId);
    expect(state.reservations).toHaveLength(1);
    expect(state.stock.find((s) => s.product_id === productId)).toEqual({
      product_id: productId,
      available: INITIAL_STOCK - 2,
      reserved: 2,
    });
    // The orchestrator ignores the late answers: the saga stays completed.
    expect((await gateway.saga(sagaId)).body.status).toBe('completed');
  });

  it('compensates a booking whose payment fails: the Python worker releases its reservation, once', async () => {
    const productId = newProduct();

    const answer = await gateway.book({ productId, quantity: 3, faultInject: true });

    expect(answer.status).toBe(409);
    const { sagaId } = answer.body;
    booked.push(sagaId);
    expect(answer.body).toMatchObject({ status: 'compensated', failedTask: 'charge-payment' });
    expect(answer.body.compensated).toEqual(expect.arrayContaining(['create-order', 'reserve-stock']));
    const [compensation] = await waitForReplies(sagaId, 'compensate', 1);
    expect(validateWireMessage('reply', compensation.body)).toEqual([]);
    expect(compensation.body).toMatchObject({ kind: 'compensate', task: 'reserve-stock', ok: true });
    const [task] = tasksOf(sagaId, 'compensate');
    expect(validateWireMessage('task', task.body)).toEqual([]);
    expect(task.body).toMatchObject({ outcome: 'succeeded', output: { reservationId: `py-${sagaId}` } });

    const released = await worker.state(sagaId);
    expect(released.barrier).toMatchObject([{ saga_id: sagaId, state: 'compensated', started: 1 }]);
    expect(released.reservations).toMatchObject([{ saga_id: sagaId, quantity: 3, state: 'released' }]);
    const stock = () => worker.state().then((s) => s.stock.find((row) => row.product_id === productId));
    expect(await stock()).toEqual({ product_id: productId, available: INITIAL_STOCK, reserved: 0 });

    // A repeated compensation releases nothing more.
    await publish(taskQueue, task.raw.content, task.raw.properties.headers ?? {});
    await waitForReplies(sagaId, 'compensate', 2);
    expect(await stock()).toEqual({ product_id: productId, available: INITIAL_STOCK, reserved: 0 });
  });

  it('records a compensation that arrives before its run, and refuses the late run', async () => {
    const productId = newProduct();
    const sagaId = `hanging-${run}`;
    const [template] = tapped.filter((m) => m.key === taskQueue);
    const headers = { 'x-request-id': `trace-${sagaId}` };

    await publish(
      taskQueue,
      Buffer.from(JSON.stringify(syntheticTask(template, sagaId, 'compensate', productId))),
      headers,
    );
    await waitForReplies(sagaId, 'compensate', 1);
    await publish(
      taskQueue,
      Buffer.from(JSON.stringify(syntheticTask(template, sagaId, 'run', productId))),
      headers,
    );
    const [refused] = await waitForReplies(sagaId, 'run', 1);

    expect(repliesOf(sagaId, 'compensate')[0].body).toMatchObject({ ok: true });
    expect(validateWireMessage('reply', refused.body)).toEqual([]);
    expect(refused.body).toMatchObject({
      ok: false,
      retryable: false,
      error: { name: 'TaskCompensatedError' },
      attempt: 1,
    });
    const state = await worker.state(sagaId);
    expect(state.barrier).toMatchObject([{ saga_id: sagaId, state: 'compensated', started: 0 }]);
    expect(state.reservations).toEqual([]);
    expect(state.stock.find((s) => s.product_id === productId)).toBeUndefined();
  });

  it('dead-letters an unreadable message with the reason, and goes on with the next one', async () => {
    const productId = newProduct();
    const sagaId = `after-garbage-${run}`;
    const [template] = tapped.filter((m) => m.key === taskQueue);

    await publish(taskQueue, Buffer.from('{"v": 1, not json'), { 'x-request-id': 'garbage' });
    await publish(taskQueue, Buffer.from(JSON.stringify({ ...template.body, v: 2, sagaId: 'v2' })), {});
    await publish(
      taskQueue,
      Buffer.from(JSON.stringify(syntheticTask(template, sagaId, 'run', productId))),
      {},
    );
    const [reply] = await waitForReplies(sagaId, 'run', 1);

    expect(reply.body).toMatchObject({ ok: true, output: { productId, quantity: 4 } });
    const dead = await drainDeadLetters();
    expect(dead.map((d) => d.body)).toEqual(['{"v": 1, not json', expect.stringContaining('"v":2,')]);
    expect(dead[0].headers).toMatchObject({
      'x-request-id': 'garbage',
      'x-dta-reason': expect.stringMatching(/^invalid JSON/),
      'x-dta-deliveries': 1,
      'x-dta-source-queue': taskQueue,
    });
    expect(dead[1].headers['x-dta-reason']).toBe('task.v must be 1, got 2');
  });

  it('retries its own failures with x-dta-delivery counting, then dead-letters the message', async () => {
    const productId = newProduct();
    const sagaId = `locked-${run}`;
    const [template] = tapped.filter((m) => m.key === taskQueue);
    const message = Buffer.from(JSON.stringify(syntheticTask(template, sagaId, 'run', productId)));
    const unlock = await worker.lockStateDb();
    let dead: Awaited<ReturnType<typeof drainDeadLetters>> = [];
    try {
      await publish(taskQueue, message, { 'x-request-id': `trace-${sagaId}` });
      dead = await eventually(drainDeadLetters, (got) => got.length > 0, {
        timeoutMs: 15_000,
        intervalMs: 200,
      });
    } finally {
      await unlock();
    }

    expect(dead).toHaveLength(1);
    expect(dead[0].body).toBe(message.toString('utf8'));
    expect(dead[0].headers).toMatchObject({
      'x-request-id': `trace-${sagaId}`,
      'x-dta-delivery': 3,
      'x-dta-deliveries': 3,
      'x-dta-reason': 'handler failed on 3 deliveries; last error: database is locked',
      'x-dta-source-queue': taskQueue,
    });
    expect(repliesOf(sagaId, 'run')).toEqual([]);
    expect((await worker.state(sagaId)).barrier).toEqual([]);
  });

  it('stops on SIGTERM with exit code 0, and a restarted worker keeps its state', async () => {
    expect(completedSaga).toBeDefined();
    stopped = await worker.stop();
    expect(stopped).toEqual({ code: 0, signal: null });

    await worker.start();
    const { sagaId } = completedSaga!;
    const [task] = tasksOf(sagaId, 'run');
    await publish(taskQueue, task.raw.content, task.raw.properties.headers ?? {});
    const replies = await waitForReplies(sagaId, 'run', 4);
    expect(replies[3].body).toEqual(replies[0].body);
    expect((await worker.state(sagaId)).reservations).toHaveLength(1);
  });

  it('leaves every booking of this run terminal, as the orchestrator stored it', async () => {
    expect(booked).toHaveLength(2);
    const statuses = await Promise.all(booked.map(async (id) => (await gateway.saga(id)).body.status));
    expect(statuses).toEqual(['completed', 'compensated']);
  });
});
