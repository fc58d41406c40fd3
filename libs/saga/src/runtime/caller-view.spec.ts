import type { SagaStatusView } from '../interfaces/saga-status.interface';
import { callerError, callerStatusView } from './caller-view';

describe('caller view', () => {
  it("shows a refusal's message and only the name of any other error", () => {
    expect(callerError({ name: 'OutOfStockError', message: 'only 2 left', rejected: true })).toEqual({
      name: 'OutOfStockError',
      message: 'only 2 left',
    });
    expect(callerError({ name: 'TypeError', message: 'x is undefined at db.ts:42' })).toEqual({
      name: 'TypeError',
      message: 'TypeError: the details are in the operator status',
    });
  });

  it('strips internal text, who acted and why from a status view', () => {
    const internal = { name: 'Error', message: 'ECONNREFUSED 10.0.0.7:5432' };
    const view: SagaStatusView = {
      id: 's1',
      flow: 'f',
      status: 'compensated',
      traceId: 't',
      createdAt: '',
      updatedAt: '',
      failure: { step: 'one', task: 'a', error: internal },
      timeline: [{ at: '', event: 'action', action: 'cancel', by: 'alice', reason: 'customer 123 called' }],
      history: [{ at: '', event: 'action', action: 'cancel', by: 'alice', reason: 'customer 123 called' }],
      steps: [
        {
          name: 'one',
          status: 'failed',
          tasks: [
            {
              name: 'a',
              status: 'unknown',
              attempts: 1,
              error: internal,
              compensation: { status: 'succeeded', attempts: 2, outcome: 'unknown', error: internal },
            },
          ],
        },
      ],
    };
    const text = JSON.stringify(callerStatusView(view));
    expect(text).not.toContain('ECONNREFUSED');
    expect(text).not.toContain('alice');
    expect(text).not.toContain('customer 123');
    expect(callerStatusView(view).history).toEqual([]);
  });
});
