import type { Type } from '@nestjs/common';
import type { TaskRef } from '../../definition/saga-contract';
import { taskRelayHost, type TaskRelay } from '../task-relay';
import { GrpcRelayChannel } from './grpc-relay.channel';
import type { GrpcTaskOptions } from './grpc-task.options';

/**
 * Serves a task of a contract with a unary method of a gRPC service that knows nothing of DTA, and its
 * compensation with another. Returns a provider class (`<TaskKey>GrpcRelay`) to put in a module of an app
 * that imports `SagaModule` with workers (or in `SagaRelayModule.register([...])`): it hosts the task like a
 * `@Task` class, so the barrier, the timeout, the attempts and the compensation apply to it unchanged.
 *
 * Every call carries the metadata `x-idempotency-key: <sagaId>:<task>` (compensation:
 * `<sagaId>:<task>:compensate`), `x-request-id: <traceId>` and `traceparent`, and a deadline at the end of
 * the attempt's `timeout`. The served methods must honour the key (a repeated key takes no new effect and
 * answers as the first call did); the compensation must also succeed for a task it never saw and then refuse
 * a late call of the task. Status codes count as in {@link GRPC_FAILURE_KINDS}.
 *
 * @example
 * const PaymentService = loadGrpcService('proto/payment.proto', 'payment.PaymentService');
 * export const ChargePaymentRelay = grpcTask(Booking.task.chargePayment, {
 *   service: PaymentService,
 *   address: () => process.env.PAYMENT_GRPC_URL ?? 'localhost:50061',
 *   run: { method: 'Charge', request: (cmd) => ({ orderId: cmd.orderId, amount: cmd.quantity * 10 }) },
 *   compensate: { method: 'Refund', request: (ctx) => ({ orderId: ctx.input.orderId }) },
 * });
 */
export function grpcTask<I, O, Req = I, Res = O, CReq = unknown>(
  ref: TaskRef<I, O>,
  options: GrpcTaskOptions<I, O, Req, Res, CReq>,
): Type<TaskRelay<I, O>> {
  const relay = `grpcTask(${ref.flow}/${ref.name})`;
  const channel = new GrpcRelayChannel(relay, options);
  const { run, compensate } = options;
  return taskRelayHost<I, O>({
    ref,
    protocol: 'Grpc',
    channel,
    run: {
      call: channel.method(run.method),
      request: run.request ?? ((input) => input),
      response: (response, input, ctx) =>
        run.response ? run.response(response as Res, input, ctx) : (response as O),
    },
    ...(compensate
      ? { compensate: { call: channel.method(compensate.method), request: compensate.request } }
      : {}),
  });
}
