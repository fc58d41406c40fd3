import { WIRE_VERSION, type StartMessage, type TaskMessage } from '../saga-messages';

/** Task message `n` of the adapters' own specs: `book-hotel` of flow `trip`, first attempt. */
export function sampleTask(n: number, traceId = `trace-${n}`): TaskMessage {
  return {
    v: WIRE_VERSION,
    sagaId: `saga-${n}`,
    flow: 'trip',
    traceId,
    kind: 'run',
    step: 'lodging',
    task: 'book-hotel',
    attempt: 1,
    input: { n },
  };
}

/** Start message `n` of flow `trip`. */
export function sampleStart(n: number): StartMessage {
  return { v: WIRE_VERSION, sagaId: `saga-${n}`, flow: 'trip', traceId: `t-${n}`, input: { n } };
}
