import { join } from 'node:path';
import {
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
  type ServiceClientConstructor,
} from '@grpc/grpc-js';
import { loadGrpcService } from '../grpc/grpc-service.loader';

export const RELAY_TEST_PROTO = join(__dirname, 'relay-test.proto');

/** The spec's service: `relaytest.Ledger`. */
export const LedgerService: ServiceClientConstructor = loadGrpcService(RELAY_TEST_PROTO, 'relaytest.Ledger');

/** One call as the server saw it. */
export type SeenLedgerCall = {
  method: 'Apply' | 'Undo';
  request: Record<string, unknown>;
  metadata: Record<string, string>;
  deadline: number;
  at: number;
};

/** What the server does with the n-th call (0-based) of a method: answer, fail, or wait first. */
export type Script = (
  n: number,
  call: SeenLedgerCall,
) => { reply: object } | { error: Partial<ServiceError> } | { waitMs: number; then: { reply: object } };

/** A real grpc-js server on a free port of 127.0.0.1, answering as each test scripts it. */
export class RelayTestServer {
  readonly seen: SeenLedgerCall[] = [];
  apply: Script = () => ({ reply: { receipt: 'r-1' } });
  undo: Script = () => ({ reply: { undone: true } });
  address = '';
  private readonly server = new Server();

  async start(): Promise<void> {
    this.server.addService(LedgerService.service, {
      Apply: (call: ServerUnaryCall<Record<string, unknown>, object>, done: sendUnaryData<object>) =>
        this.answer('Apply', call, done),
      Undo: (call: ServerUnaryCall<Record<string, unknown>, object>, done: sendUnaryData<object>) =>
        this.answer('Undo', call, done),
      Watch: () => undefined,
    });
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.address = `127.0.0.1:${port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }

  calls(method: SeenLedgerCall['method']): SeenLedgerCall[] {
    return this.seen.filter((c) => c.method === method);
  }

  reset(): void {
    this.seen.length = 0;
    this.apply = () => ({ reply: { receipt: 'r-1' } });
    this.undo = () => ({ reply: { undone: true } });
  }

  private answer(
    method: SeenLedgerCall['method'],
    call: ServerUnaryCall<Record<string, unknown>, object>,
    done: sendUnaryData<object>,
  ): void {
    const deadline = call.getDeadline();
    const seen: SeenLedgerCall = {
      method,
      request: { ...call.request },
      metadata: Object.fromEntries(
        Object.entries(call.metadata.getMap()).map(([key, value]) => [key, String(value)]),
      ),
      deadline: deadline instanceof Date ? deadline.getTime() : Number(deadline),
      at: Date.now(),
    };
    const n = this.calls(method).length;
    this.seen.push(seen);
    const script = method === 'Apply' ? this.apply : this.undo;
    const step = script(n, seen);
    if ('error' in step) done(step.error);
    else if ('reply' in step) done(null, step.reply);
    else setTimeout(() => done(null, step.then.reply), step.waitMs);
  }
}
