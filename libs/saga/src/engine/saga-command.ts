import type {
  Json,
  SagaFailure,
  SagaLifecycle,
  SagaStatus,
  TaskOutcome,
} from '../vocabulary/saga-vocabulary';

export { SAGA_LIFECYCLE } from '../vocabulary/saga-vocabulary';
export type { SagaLifecycle } from '../vocabulary/saga-vocabulary';
import type { SagaTimer } from './saga-event';

/** Something the runtime must do after a transition is stored (through the outbox, so a crash loses none). */
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
  /** Publish a lifecycle event; terminal events go with `finish`. */
  | {
      type: 'announce';
      event: Extract<SagaLifecycle, 'started' | 'step-completed' | 'rollback'>;
      step?: string;
      task?: string;
    }
  | {
      type: 'finish';
      status: Extract<SagaStatus, 'completed' | 'compensated' | 'stalled'>;
      result?: Json;
      failure?: SagaFailure;
    };
