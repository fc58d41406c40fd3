import type { SagaStatusView } from '@dta/saga';
import { bookingInput, statusResponse } from './booking-grpc.mapper';

describe('bookingInput', () => {
  it.each([
    ['"true" as true', { FaultInject: 'true' }, { faultInject: true }],
    ['"false" left out', { FaultInject: 'false' }, {}],
    ['"" left out', { FaultInject: '' }, {}],
    ['a task name as sent', { FaultInject: 'inventory' }, { faultInject: 'inventory' }],
    ['anything else as sent, for validation to refuse', { FaultInject: 'TRUE' }, { faultInject: 'TRUE' }],
    ['Quantity 0 left out (the DTO defaults it to 1)', { Quantity: 0 }, {}],
    ['Quantity -1 as sent', { Quantity: -1 }, { quantity: -1 }],
  ])('maps %s', (_name, fields, expected) => {
    expect(
      bookingInput({ ProductID: 'p-1', FaultInject: '', Quantity: 0, CallbackURL: '', ...fields }),
    ).toEqual({
      productId: 'p-1',
      ...expected,
    });
  });
});

describe('statusResponse', () => {
  it('carries the ids produced so far and where the saga failed', () => {
    const view = {
      id: 's-1',
      flow: 'booking',
      status: 'compensated',
      traceId: 't-1',
      createdAt: '',
      updatedAt: '',
      failure: { step: 'payment-and-stock', task: 'charge-payment', error: { message: 'declined' } },
      steps: [
        {
          name: 'order',
          status: 'compensated',
          tasks: [{ name: 'create-order', status: 'succeeded', attempts: 1, output: { orderId: 'o-1' } }],
        },
        {
          name: 'payment-and-stock',
          status: 'failed',
          tasks: [{ name: 'charge-payment', status: 'failed', attempts: 1 }],
        },
      ],
    } as SagaStatusView;

    expect(statusResponse(view)).toEqual({
      SagaID: 's-1',
      TraceID: 't-1',
      Status: 'compensated',
      OrderID: 'o-1',
      PaymentID: undefined,
      FailedStep: 'payment-and-stock',
      FailedTask: 'charge-payment',
      Error: 'declined',
    });
  });
});
