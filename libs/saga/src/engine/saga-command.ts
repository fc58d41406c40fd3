import type { Json, SagaFailure, SagaStatus, TaskOutcome } from './saga-state';
import type { SagaTimer } from './saga-event';

/** What a saga announces on the events exchange (routing key `<flow>.<event>`). */
export type SagaLifecycle =
  'started' | 'step-completed' | 'rollback' | 'completed' | 'compensated' | 'stalled';

/** Every lifecycle event, in the order a saga may announce them. */
export const SAGA_LIFECYCLE: readonly SagaLifecycle[] = [
  'started',
  'step-completed',
  'rollback',
  'completed',
  'compensated',
  'stalled',
];

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
