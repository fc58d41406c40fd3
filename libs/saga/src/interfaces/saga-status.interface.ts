import type { CompensationStatus, Json, SagaError, SagaStatus, TaskStatus } from '../engine/saga-state';

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'compensating' | 'compensated';

/** Where a saga stands, as `SagaClient.status` and `GET /sagas/:id` show it. */
export interface SagaStatusView {
  id: string;
  flow: string;
  status: SagaStatus;
  traceId: string;
  createdAt: string;
  updatedAt: string;
  failure?: { step: string; task: string; error: SagaError };
  steps: {
    name: string;
    status: StepStatus;
    tasks: {
      name: string;
      status: TaskStatus;
      attempts: number;
      output?: Json;
      error?: SagaError;
      compensation?: {
        status: CompensationStatus;
        attempts: number;
        outcome: 'succeeded' | 'unknown';
        error?: SagaError;
      };
    }[];
  }[];
}
