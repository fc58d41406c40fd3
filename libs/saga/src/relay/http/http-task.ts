import type { Type } from '@nestjs/common';
import type { TaskRef } from '../../definition/saga-contract';
import { taskRelayHost, type TaskRelay } from '../task-relay';
import { HttpRelayChannel, type HttpRelayRequest } from './http-relay.channel';
import type { HttpTaskOptions } from './http-task.options';

/**
 * Serves a task of a contract with an HTTP endpoint that knows nothing of DTA, and its compensation with
 * another: the HTTP twin of `grpcTask`, with the same guarantees. Every call sends JSON with the headers
 * `Idempotency-Key: <sagaId>:<task>` (compensation: `<sagaId>:<task>:compensate`), `x-request-id` and
 * `traceparent`, and is aborted at the end of the attempt's `timeout`. 2xx is success; other answers count
 * as {@link httpFailureKind} says.
 *
 * @example
 * export const ChargePaymentRelay = httpTask(Booking.task.chargePayment, {
 *   baseUrl: () => process.env.PAYMENT_URL ?? 'http://localhost:8080',
 *   run: { path: '/charges', body: (cmd) => ({ orderId: cmd.orderId, amount: cmd.quantity * 10 }) },
 *   compensate: { path: (ctx) => `/orders/${ctx.input.orderId}/refund` },
 * });
 */
export function httpTask<I, O>(ref: TaskRef<I, O>, options: HttpTaskOptions<I, O>): Type<TaskRelay<I, O>> {
  const relay = `httpTask(${ref.flow}/${ref.name})`;
  const channel = new HttpRelayChannel(relay, options);
  const { run, compensate } = options;
  return taskRelayHost<I, O>({
    ref,
    protocol: 'Http',
    channel,
    run: {
      call: channel.method(run.method ?? 'POST'),
      request: (input, ctx): HttpRelayRequest => ({
        path: typeof run.path === 'function' ? run.path(input, ctx) : run.path,
        body: run.body ? run.body(input, ctx) : input,
      }),
      response: (body, input, ctx) => (run.response ? run.response(body, input, ctx) : (body as O)),
    },
    ...(compensate
      ? {
          compensate: {
            call: channel.method(compensate.method ?? 'POST'),
            request: (ctx): HttpRelayRequest => ({
              path: typeof compensate.path === 'function' ? compensate.path(ctx) : compensate.path,
              body: compensate.body?.(ctx),
            }),
          },
        }
      : {}),
  });
}
