import type { SagaContract, SagaInput, TaskOutput } from './saga-contract';

/**
 * What a `@Step` method sees, typed by the contract: the saga input and the outputs of earlier tasks.
 *
 * @example
 * @Step(2, ['chargePayment'])
 * pay(s: SagaState<typeof Booking>) {
 *   return { chargePayment: { orderId: s.out('createOrder').orderId, quantity: s.input.quantity } };
 * }
 */
export interface SagaState<C extends SagaContract> {
  readonly sagaId: string;
  readonly traceId: string;
  /** The validated input the saga was started with (its JSON form). */
  readonly input: SagaInput<C>;
  /** Output of a task of an earlier step, by property name; throws if that task has not succeeded. */
  out<K extends keyof C['tasks'] & string>(task: K): TaskOutput<C['tasks'][K]>;
}
