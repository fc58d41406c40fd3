import type {
  CompensationStatus,
  Json,
  SagaError,
  SagaStatus,
  SagaTimelineEntry,
  TaskStatus,
} from './saga-state';

export type StepStatus =
  'pending' | 'running' | 'succeeded' | 'failed' | 'stalled' | 'compensating' | 'compensated';

/** One moment of the saga's life (see `SagaTimelineEntry`), its time as ISO-8601. */
export type SagaTimelineView = Omit<SagaTimelineEntry, 'at' | 'actionId'> & { at: string };

/** Where a saga stands, as `SagaClient.status` and `GET /sagas/:id` show it. */
export interface SagaStatusView {
  id: string;
  flow: string;
  status: SagaStatus;
  traceId: string;
  createdAt: string;
  updatedAt: string;
  failure?: { step: string; task: string; error: SagaError };
  /** What the flow's `result` composed, once completed (absent when the flow answers with its outputs). */
  result?: Json;
  /** Where and why the saga stopped, while it is `stalled`. */
  stall?: { phase: 'forward' | 'compensation'; step: string; task: string; error: SagaError; at: string };
  /** When each step, task attempt, compensation attempt and operator action began and ended, oldest first. */
  timeline: SagaTimelineView[];
  /** The operator actions of the timeline: who acted, when and why. */
  history: SagaTimelineView[];
  steps: {
    name: string;
    status: StepStatus;
    tasks: {
      name: string;
      status: TaskStatus;
      attempts: number;
      output?: Json;
      error?: SagaError;
      /** An operator marked it succeeded by hand. */
      skipped?: boolean;
      compensation?: {
        status: CompensationStatus;
        attempts: number;
        outcome: 'succeeded' | 'unknown';
        error?: SagaError;
        /** An operator marked it done by hand. */
        skipped?: boolean;
      };
    }[];
  }[];
}
