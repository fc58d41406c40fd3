import { ConsoleLogger } from '@nestjs/common';
import { sagaLog, setSagaLogFormat } from './saga-log';

const state = {
  id: 's-1',
  traceId: 't-1',
  flow: 'booking',
  step: 1,
  steps: [{ name: 'order' }, { name: 'payment' }],
};
const message = { sagaId: 's-1', traceId: 't-1', flow: 'booking', step: 'payment', task: 'charge' };

describe('sagaLog', () => {
  afterEach(() => setSagaLogFormat('text'));

  it('appends the saga and trace ids to the text by default', () => {
    expect(sagaLog('saga booking started', state)).toBe('saga booking started sagaId=s-1 traceId=t-1');
  });

  it('gives fields in json: the step of a state by name, the task of a message', () => {
    setSagaLogFormat('json');
    expect(sagaLog('saga booking started', state)).toEqual({
      message: 'saga booking started',
      sagaId: 's-1',
      traceId: 't-1',
      flow: 'booking',
      step: 'payment',
    });
    expect(sagaLog('charged', message)).toEqual({ message: 'charged', ...message });
    expect(sagaLog('bare', { id: 's-2', traceId: 't-2' })).toEqual({
      message: 'bare',
      sagaId: 's-2',
      traceId: 't-2',
    });
  });

  it("comes out of Nest's JSON console logger as one line with the fields", () => {
    setSagaLogFormat('json');
    const written: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      new ConsoleLogger('SagaOrchestrator', { json: true }).log(sagaLog('charged', message));
    } finally {
      stdout.mockRestore();
    }
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0])).toMatchObject({
      level: 'log',
      context: 'SagaOrchestrator',
      message: { message: 'charged', sagaId: 's-1', traceId: 't-1', flow: 'booking', task: 'charge' },
    });
  });
});
