import { SetMetadata } from '@nestjs/common';
import type { SagaContract } from '../definition/saga-contract';
import type { SagaLifecycle } from '../vocabulary/saga-vocabulary';
import { SAGA_EVENT_METADATA } from '../saga.constants';

export interface OnSagaEventOptions {
  /**
   * The subscriber the events are delivered to: each subscriber has its own durable queue, which its replicas
   * share (one of them handles each event), and every subscriber gets every event it subscribes to.
   * @default `<Class>.<method>` of the handler
   */
  subscriber?: string;
}

export interface SagaEventHandlerMetadata extends OnSagaEventOptions {
  kind: 'event';
  /** `<flow>.<event>`; `*` stands for any flow or any event. */
  pattern: string;
}

/**
 * Subscribes a provider's method to a flow's lifecycle events: `'booking.rollback'`, `'booking.*'` or
 * `'*.stalled'` (the routing key `<flow>.<event>`, `*` for any flow or event). The method receives the
 * `LifecycleEvent` (sagaId, traceId, flow, type, step, task, at), at least once: make it idempotent by sagaId.
 * One that throws has the event delivered again, and dead-lettered past the delivery limit.
 *
 * A flow publishes only the events its contract names (`defineSaga(..., { events })`); subscribing to one it
 * does not publish fails the bootstrap when the contract is known here.
 *
 * @example
 * @OnSagaEvent(Booking, 'rollback')          // or @OnSagaEvent('booking.rollback')
 * bookingRolledBack(event: LifecycleEvent) { this.mailer.sorry(event.sagaId); }
 */
export function OnSagaEvent(pattern: string, options?: OnSagaEventOptions): MethodDecorator;
export function OnSagaEvent(
  flow: SagaContract,
  event: SagaLifecycle | '*',
  options?: OnSagaEventOptions,
): MethodDecorator;
export function OnSagaEvent(
  target: string | SagaContract,
  eventOrOptions?: SagaLifecycle | '*' | OnSagaEventOptions,
  options: OnSagaEventOptions = {},
): MethodDecorator {
  const typed = typeof target !== 'string';
  const pattern = typed ? `${target.name}.${eventOrOptions as string}` : target;
  const rest = typed ? options : ((eventOrOptions as OnSagaEventOptions | undefined) ?? {});
  const metadata: SagaEventHandlerMetadata = { kind: 'event', pattern, ...rest };
  return SetMetadata(SAGA_EVENT_METADATA, metadata);
}
