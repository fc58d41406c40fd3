import type { Json, SagaFailure, SagaStatus, TaskOutcome } from './saga-state';
import type { SagaTimer } from './saga-event';

/** Something the runtime must do after a transition is stored. */
export type SagaCommand =
  | { type: 'run-task'; step: string; task: string; attempt: number; input: Json }
  | {
      type: 'compensate-task';
      step: string;
      task: string;
      attempt: number;
      input: Json;
      output?: Json;
      outcome: TaskOutcome;
    }
  | { type: 'schedule'; timer: SagaTimer }
  | {
      type: 'finish';
      status: Extract<SagaStatus, 'completed' | 'compensated' | 'failed'>;
      result?: Json;
      failure?: SagaFailure;
    };
