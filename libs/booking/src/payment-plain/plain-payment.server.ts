import {
  type GrpcObject,
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  type ServiceClientConstructor,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import {
  type ChargeReply,
  type ChargeRequest,
  LedgerRefusal,
  PaymentLedger,
  type RefundReply,
  type RefundRequest,
} from './payment-ledger';

/** How many calls `seen` keeps (the oldest go first). */
const SEEN_MAX = 10_000;

/** Where the server reads its proto unless told: under the working directory (the repository root). */
export const PAYMENT_PROTO_PATH = 'proto/payment.proto';

/** What the server saw of one call, beside its request. */
export type SeenCall = {
  method: 'Charge' | 'Refund';
  idempotencyKey: string;
  requestId: string;
  traceparent: string;
  /** The call's deadline (epoch ms); `Infinity` when the caller set none. */
  deadline: number;
  /** When the call arrived (epoch ms). */
  at: number;
  orderId: string;
};

/**
 * For fault tests: the next `times` calls of a method take their effect, then lose their answer (answer
 * `code` instead) or send it only after `delayMs`, as a network or a slow server would.
 */
export type Disturbance = { times: number } & ({ code: status } | { delayMs: number });

/**
 * A payment service as it exists without DTA: a plain grpc-js server of `payment.PaymentService`
 * (proto/payment.proto) over a {@link PaymentLedger}, idempotent by the `x-idempotency-key` metadata.
 * It records the metadata of its last 10,000 calls (`seen`), which the example's tests read.
 */
export class PlainPaymentServer {
  readonly ledger = new PaymentLedger();
  readonly seen: SeenCall[] = [];
  private readonly server = new Server();
  private readonly disturbances = new Map<SeenCall['method'], Disturbance>();

  constructor(protoPath: string = PAYMENT_PROTO_PATH) {
    const root = loadPackageDefinition(loadSync(protoPath, { defaults: true, longs: Number }));
    const service = (root.payment as GrpcObject).PaymentService as ServiceClientConstructor;
    this.server.addService(service.service, {
      Charge: (call: ServerUnaryCall<ChargeRequest, ChargeReply>, done: sendUnaryData<ChargeReply>) =>
        this.answer(call, 'Charge', done, (key) => this.ledger.charge(key, call.request)),
      Refund: (call: ServerUnaryCall<RefundRequest, RefundReply>, done: sendUnaryData<RefundReply>) =>
        this.answer(call, 'Refund', done, (key) => this.ledger.refund(key, call.request)),
    });
  }

  /** Listens on `address` (`host:port`; port 0 picks a free one) and returns the bound port. */
  start(address: string): Promise<number> {
    return new Promise((resolve, reject) =>
      this.server.bindAsync(address, ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
  }

  /** Stops accepting calls and waits for those in progress. */
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }

  /** Disturbs the next calls of `method` (see {@link Disturbance}); replaces an earlier one. */
  disturb(method: SeenCall['method'], disturbance: Disturbance): void {
    this.disturbances.set(method, { ...disturbance });
  }

  /** Calls seen for `orderId`, oldest first. */
  callsFor(orderId: string): SeenCall[] {
    return this.seen.filter((c) => c.orderId === orderId);
  }

  private answer<Req extends { orderId: string }, Res>(
    call: ServerUnaryCall<Req, Res>,
    method: SeenCall['method'],
    done: sendUnaryData<Res>,
    decide: (key: string) => Res,
  ): void {
    const text = (name: string): string => String(call.metadata.get(name)[0] ?? '');
    const deadline = call.getDeadline();
    const key = text('x-idempotency-key');
    this.seen.push({
      method,
      idempotencyKey: key,
      requestId: text('x-request-id'),
      traceparent: text('traceparent'),
      deadline: deadline instanceof Date ? deadline.getTime() : Number(deadline),
      at: Date.now(),
      orderId: call.request.orderId,
    });
    if (this.seen.length > SEEN_MAX) this.seen.shift();
    try {
      const reply = decide(key);
      const disturbance = this.disturbances.get(method);
      if (!disturbance || disturbance.times <= 0) return done(null, reply);
      disturbance.times--;
      if ('code' in disturbance) return done({ code: disturbance.code, details: 'answer lost (fault test)' });
      setTimeout(() => done(null, reply), disturbance.delayMs);
    } catch (error) {
      if (!(error instanceof LedgerRefusal)) {
        done({ code: status.INTERNAL, details: String(error) });
        return;
      }
      const code = error.reason === 'invalid' ? status.INVALID_ARGUMENT : status.FAILED_PRECONDITION;
      done({ code, details: error.message });
    }
  }
}
