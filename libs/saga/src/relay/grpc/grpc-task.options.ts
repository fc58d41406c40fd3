import type { ChannelCredentials, ChannelOptions, ServiceClientConstructor, status } from '@grpc/grpc-js';
import type { CompensationContext, TaskContext } from '../../interfaces/task-context.interface';
import type { RelayFailureKind } from '../relay-call.interface';

/** The task's call. */
export interface GrpcRunCall<I, O, Req, Res> {
  /** Name of the unary method, as in the proto (`Charge`). */
  method: string;
  /** The request message for the task input. @default the task input as it is */
  request?: (input: I, ctx: TaskContext) => Req;
  /**
   * The task output for the method's response. It must not throw: the call has taken effect by then.
   * @default the response as it is
   */
  response?: (response: Res, input: I, ctx: TaskContext) => O;
}

/** The compensation's call. */
export interface GrpcCompensateCall<I, O, Req> {
  /** Name of the unary method that undoes the task (`Refund`). */
  method: string;
  /**
   * The request message. `ctx.output` is absent when the task's outcome is unknown (`ctx.outcome`): the
   * request must name what to undo from the input (e.g. the order id).
   */
  request: (ctx: CompensationContext<I, O>) => Req;
}

/** How `grpcTask` reaches the service that serves a task. */
export interface GrpcTaskOptions<I, O, Req = I, Res = O, CReq = unknown> {
  /** The service's client constructor, e.g. `loadGrpcService('proto/payment.proto', 'payment.PaymentService')`. */
  service: ServiceClientConstructor;
  /** `host:port` of the service, or a function read at bootstrap (e.g. from the environment). */
  address: string | (() => string);
  /** @default credentials.createInsecure() */
  credentials?: ChannelCredentials;
  /** grpc-js channel options (keepalive, message sizes). @default none */
  channelOptions?: ChannelOptions;
  /** The method that runs the task. */
  run: GrpcRunCall<I, O, Req, Res>;
  /** The method that undoes it. @default none: the task must be `compensable: false` in the contract */
  compensate?: GrpcCompensateCall<I, O, CReq>;
  /** Kinds of failure by status code, merged over the defaults. @default GRPC_FAILURE_KINDS */
  failures?: Partial<Record<status, RelayFailureKind>>;
}
