import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineSaga, task } from '../../definition/saga-contract';
import { TaskRejectedError } from '../../errors/task-rejected.error';
import type { CompensationContext, TaskContext } from '../../interfaces/task-context.interface';
import { RelayCallFailedError } from '../errors/relay-call-failed.error';
import { RelayDefinitionError } from '../errors/relay-definition.error';
import type { TaskRelay } from '../task-relay';
import { httpTask } from './http-task';
import type { HttpTaskOptions } from './http-task.options';

type Cmd = { orderId: string; amount: number };
type Paid = { paymentId: string };

const TIMEOUT_MS = 400;
const Shop = defineSaga('shop', { tasks: { pay: task<Cmd, Paid>({ timeout: TIMEOUT_MS }) } });
const SAGA_ID = 'saga-h1';

const runContext = (): TaskContext => ({
  sagaId: SAGA_ID,
  traceId: 'trace-h1',
  flow: 'shop',
  step: 'pay',
  task: 'pay',
  attempt: 1,
});

type Seen = { method: string; url: string; headers: IncomingHttpHeaders; body: string };
type Answer = { status: number; body?: unknown; delayMs?: number };

describe('httpTask: a task served by a plain HTTP endpoint (a real node:http server)', () => {
  const seen: Seen[] = [];
  let answer: (n: number) => Answer = () => ({ status: 201, body: { paymentId: 'p-1' } });
  let server: Server;
  let baseUrl = '';
  const relays: TaskRelay<Cmd, Paid>[] = [];

  const relayOf = (over: Partial<HttpTaskOptions<Cmd, Paid>> = {}) => {
    const Relay = httpTask(Shop.task.pay, {
      baseUrl: () => baseUrl,
      headers: { 'x-api-key': 'k' },
      run: { path: (cmd) => `/orders/${cmd.orderId}/charge` },
      compensate: { method: 'DELETE', path: (ctx) => `/orders/${ctx.input.orderId}/charge` },
      ...over,
    });
    const relay = new Relay();
    relay.onModuleInit();
    relays.push(relay);
    return relay;
  };
  const run = (relay: TaskRelay<Cmd, Paid>) =>
    relay.run({ orderId: 'o-1', amount: 5 }, runContext()).catch((e: unknown) => e);

  beforeAll(async () => {
    server = createServer((req, res: ServerResponse) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const n = seen.length;
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const { status, body: reply, delayMs = 0 } = answer(n);
        setTimeout(() => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(reply === undefined ? '' : JSON.stringify(reply));
        }, delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    seen.length = 0;
    answer = () => ({ status: 201, body: { paymentId: 'p-1' } });
  });
  afterEach(() => {
    for (const relay of relays.splice(0)) relay.onApplicationShutdown();
  });

  it('POSTs the input as JSON with Idempotency-Key, x-request-id, traceparent and the extra headers', async () => {
    expect(await run(relayOf())).toEqual({ paymentId: 'p-1' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/orders/o-1/charge' });
    expect(JSON.parse(seen[0].body)).toEqual({ orderId: 'o-1', amount: 5 });
    expect(seen[0].headers).toMatchObject({
      'idempotency-key': `${SAGA_ID}:pay`,
      'x-request-id': 'trace-h1',
      traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/),
      'x-api-key': 'k',
      'content-type': 'application/json',
    });
  });

  it.each([400, 402, 404, 422])(
    '%i fails the task for good, with the status and body in the details',
    async (status) => {
      answer = () => ({ status, body: { error: 'card declined' } });
      const error = await run(relayOf());
      expect(error).toBeInstanceOf(TaskRejectedError);
      expect(error).toMatchObject({
        message: `POST /orders/o-1/charge answered ${status}: {"error":"card declined"}`,
        details: { httpStatus: status },
      });
      expect(seen).toHaveLength(1);
    },
  );

  it.each([408, 429, 503])(
    '%i fails the attempt (retried by the task policy), asked once',
    async (status) => {
      answer = () => ({ status });
      const error = await run(relayOf());
      expect(error).toBeInstanceOf(RelayCallFailedError);
      expect(error).not.toBeInstanceOf(TaskRejectedError);
      expect(seen).toHaveLength(1);
    },
  );

  it.each([500, 502, 504, 409])('%i may have taken effect: asked again with the same key', async (status) => {
    answer = (n) => (n === 0 ? { status } : { status: 200, body: { paymentId: 'p-2' } });
    expect(await run(relayOf())).toEqual({ paymentId: 'p-2' });
    expect(seen.map((s) => s.headers['idempotency-key'])).toEqual([`${SAGA_ID}:pay`, `${SAGA_ID}:pay`]);
  });

  it('a call that outlasts the attempt timeout is aborted and asked again', async () => {
    answer = (n) =>
      n === 0
        ? { status: 200, body: { paymentId: 'slow' }, delayMs: TIMEOUT_MS * 2 }
        : { status: 200, body: { paymentId: 'p-3' } };
    expect(await run(relayOf())).toEqual({ paymentId: 'p-3' });
    expect(seen).toHaveLength(2);
  });

  it('a refused connection fails the attempt: nothing was sent', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const error = await run(relayOf({ baseUrl: url }));
    expect(error).toBeInstanceOf(RelayCallFailedError);
    expect((error as RelayCallFailedError).details).toEqual({ httpError: 'ECONNREFUSED' });
  });

  it('compensates with its own method, path and key', async () => {
    answer = () => ({ status: 204 });
    const ctx: CompensationContext<Cmd, Paid> = {
      ...runContext(),
      input: { orderId: 'o-9', amount: 5 },
      outcome: 'unknown',
    };
    await relayOf().compensate(ctx);
    expect(seen[0]).toMatchObject({ method: 'DELETE', url: '/orders/o-9/charge', body: '' });
    expect(seen[0].headers['idempotency-key']).toBe(`${SAGA_ID}:pay:compensate`);
  });

  it('refuses a base URL that is not http(s) at bootstrap', () => {
    expect(() => relayOf({ baseUrl: 'ftp://x' })).toThrow(RelayDefinitionError);
    expect(() => relayOf({ baseUrl: 'ftp://x' })).toThrow(/httpTask\(shop\/pay\): address is "ftp:\/\/x"/);
  });
});
