import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';
import type { SagaContract } from '../definition/saga-contract';
import { SAGA_METADATA } from '../saga.constants';

export interface SagaMetadata {
  kind: 'saga';
  contract: SagaContract;
}

/**
 * Marks a class as the flow of a contract: its `@Step` methods, in order, map the saga so far to the inputs
 * of each step's tasks. The class runs in the orchestrator; it must be a (singleton) provider of a module.
 *
 * @example
 * @Saga(Booking)
 * export class BookingSaga {
 *   @Step(1, ['createOrder'])
 *   order(s: SagaView) { return { createOrder: s.input }; }
 * }
 */
export function Saga(contract: SagaContract): ClassDecorator {
  const metadata: SagaMetadata = { kind: 'saga', contract };
  return applyDecorators(SetMetadata(SAGA_METADATA, metadata), Injectable());
}
