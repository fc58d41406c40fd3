import type { SagaState } from '../../engine/saga-state';

/** A running saga with no steps, for the stores' own specs: what they store, not what the engine makes. */
export function bareSaga(id: string, fields: Partial<SagaState> = {}): SagaState {
  return {
    id,
    flow: 'booking',
    traceId: 't1',
    status: 'running',
    input: null,
    step: 0,
    steps: [],
    createdAt: 0,
    updatedAt: 0,
    version: 1,
    ...fields,
  };
}
