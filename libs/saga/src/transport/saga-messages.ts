import {
  SAGA_LIFECYCLE,
  SAGA_OPERATOR_ACTIONS,
  type Json,
  type SagaError,
  type SagaFailure,
  type SagaLifecycle,
  type SagaOperatorAction,
  type SagaStatus,
  type TaskOutcome,
} from '../vocabulary';

/** Version of the wire format; every message carries it. */
export const WIRE_VERSION = 1;

interface Envelope {
  v: typeof WIRE_VERSION;
  sagaId: string;
  flow: string;
  traceId: string;
}

/** Asks the orchestrators of `flow` to start a saga. */
export interface StartMessage extends Envelope {
  input: Json;
  /** Instance address the terminal result goes to. */
  replyTo?: string;
  /** Also tell `replyTo` as soon as the saga is stored (`SagaClient.start` waits for that). */
  ack?: boolean;
  /** Wait in the flow's throttled queue: each orchestrator runs a bounded number of these at once. */
  throttled?: boolean;
  /** Where to POST the terminal result (async mode). */
  callbackUrl?: string;
}

/** Asks a callback dispatcher to POST a terminal result to a caller's URL. */
export interface CallbackMessage extends Envelope {
  url: string;
  result: ResultMessage;
}

/** Asks a task worker to run a task, or to undo it (`kind: 'compensate'`). */
export interface TaskMessage extends Envelope {
  kind: 'run' | 'compensate';
  step: string;
  task: string;
  attempt: number;
  /** What the step's mapper gave this task: the only data a task receives (not the saga input, no outputs). */
  input: Json;
  /** The task's timeout: how long the worker lets one attempt's handler run before it answers `unknown`. */
  timeoutMs?: number;
  /**
   * The orchestrator instance that sent the command: its reply goes back to that instance where the transport
   * can route it there safely (RabbitMQ), so that one replica sees every event of its sagas. Without it, or
   * once that instance is gone, the reply goes to the flow's reply queue, where any replica takes it.
   */
  replyTo?: string;
  /** Compensation only: the task's output if it replied. */
  output?: Json;
  /** Compensation only. */
  outcome?: TaskOutcome;
}

/**
 * An operator's action (`SagaAdmin`), sent on the flow's reply channel so that the orchestrators decide it
 * like any other event of the saga; the answer (`ResultMessage` of kind `acted`) goes to `replyTo`.
 */
export interface OperatorMessage extends Envelope {
  kind: 'operator';
  /** Names the action: its answer, and a repeated delivery (applied once). */
  actionId: string;
  replyTo: string;
  action: SagaOperatorAction;
}

/** What arrives on a flow's reply channel: a worker's answer, or an operator's action. */
export type ReplyMessage = WorkerReply | OperatorMessage;

/** A worker's answer to a {@link TaskMessage}. */
export type WorkerReply = Envelope & {
  kind: 'run' | 'compensate';
  task: string;
  attempt: number;
} & (
    | { ok: true; output?: Json }
    | {
        ok: false;
        error: SagaError;
        retryable: boolean;
        /** `unknown`: the attempt may have taken effect (it outran its timeout, or its output was unusable). */
        outcome?: 'unknown';
      }
  );

/**
 * Sent to the caller's instance: the saga was accepted, or reached a terminal state or stalled; or, to an
 * operator's instance, the answer to an action (`acted`).
 */
export interface ResultMessage extends Envelope {
  kind: 'accepted' | 'finished' | 'acted';
  status: SagaStatus;
  result?: Json;
  failure?: SagaFailure;
  compensated?: string[];
  /** `acted`: the action answered. */
  actionId?: string;
  /** `acted`: why the action was not applied; absent when it was. */
  refused?: { code: 'not-applicable' | 'unknown-task' | 'not-found'; message: string };
}

/** Published on the events exchange for anyone to observe. */
export interface LifecycleEvent extends Envelope {
  /** `rollback`: a step failed and compensation begins (the trace id names the request that is undone). */
  type: SagaLifecycle;
  step?: string;
  /** Failed task, on `rollback`, `compensated` and `stalled`. */
  task?: string;
  /** The orchestrator instance that published it. */
  instance?: string;
  at: number;
}

/** Thrown by a message parser: the message goes to the dead-letter queue with this reason. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
}

type Fields = Record<string, unknown>;

function object(raw: unknown, what: string): Fields {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidMessageError(`${what} is not a JSON object`);
  }
  return raw as Fields;
}

function requireStrings(m: Fields, what: string, keys: string[]): void {
  for (const key of keys) {
    if (typeof m[key] !== 'string' || m[key].length === 0) {
      throw new InvalidMessageError(`${what}.${key} must be a non-empty string`);
    }
  }
}

function requireScalars(m: Fields, what: string): void {
  for (const [key, value] of Object.entries(m)) {
    if (!['string', 'number', 'boolean'].includes(typeof value))
      throw new InvalidMessageError(`${what}.${key} must be a string, a number or a boolean`);
  }
}

function envelope(raw: unknown, what: string): Fields {
  const m = object(raw, what);
  if (m.v !== WIRE_VERSION)
    throw new InvalidMessageError(`${what}.v must be ${WIRE_VERSION}, got ${String(m.v)}`);
  requireStrings(m, what, ['sagaId', 'flow', 'traceId']);
  return m;
}

function requireAttempt(m: Fields, what: string): void {
  if (!Number.isInteger(m.attempt) || (m.attempt as number) < 1) {
    throw new InvalidMessageError(`${what}.attempt must be an integer >= 1`);
  }
}

function requireKind(m: Fields, what: string): void {
  if (m.kind !== 'run' && m.kind !== 'compensate') {
    throw new InvalidMessageError(`${what}.kind must be 'run' or 'compensate'`);
  }
}

export function parseStartMessage(raw: unknown): StartMessage {
  const m = envelope(raw, 'start');
  if (!('input' in m)) throw new InvalidMessageError('start.input is missing');
  if (m.replyTo !== undefined) requireStrings(m, 'start', ['replyTo']);
  if (m.callbackUrl !== undefined) requireStrings(m, 'start', ['callbackUrl']);
  return m as unknown as StartMessage;
}

export function parseTaskMessage(raw: unknown): TaskMessage {
  const m = envelope(raw, 'task');
  requireKind(m, 'task');
  requireStrings(m, 'task', ['step', 'task']);
  requireAttempt(m, 'task');
  if (m.replyTo !== undefined) requireStrings(m, 'task', ['replyTo']);
  return m as unknown as TaskMessage;
}

export function parseReplyMessage(raw: unknown): ReplyMessage {
  const m = envelope(raw, 'reply');
  if (m.kind === 'operator') return parseOperatorMessage(m);
  requireKind(m, 'reply');
  requireStrings(m, 'reply', ['task']);
  requireAttempt(m, 'reply');
  if (typeof m.ok !== 'boolean') throw new InvalidMessageError('reply.ok must be a boolean');
  if (!m.ok) {
    const error = object(m.error, 'reply.error');
    requireStrings(error, 'reply.error', ['message']);
    if (error.details !== undefined)
      requireScalars(object(error.details, 'reply.error.details'), 'reply.error.details');
    if (typeof m.retryable !== 'boolean') throw new InvalidMessageError('reply.retryable must be a boolean');
    if (m.outcome !== undefined && m.outcome !== 'unknown')
      throw new InvalidMessageError("reply.outcome must be 'unknown' when present");
  }
  return m as unknown as ReplyMessage;
}

function parseOperatorMessage(m: Fields): OperatorMessage {
  requireStrings(m, 'operator', ['actionId', 'replyTo']);
  const action = object(m.action, 'operator.action');
  if (!(SAGA_OPERATOR_ACTIONS as readonly unknown[]).includes(action.type)) {
    throw new InvalidMessageError(`operator.action.type must be one of ${SAGA_OPERATOR_ACTIONS.join(', ')}`);
  }
  requireStrings(action, 'operator.action', ['by', 'reason']);
  if (action.type === 'retry' || action.type === 'skip') requireStrings(action, 'operator.action', ['task']);
  return m as unknown as OperatorMessage;
}

export function parseResultMessage(raw: unknown): ResultMessage {
  const m = envelope(raw, 'result');
  if (m.kind !== 'accepted' && m.kind !== 'finished' && m.kind !== 'acted') {
    throw new InvalidMessageError("result.kind must be 'accepted', 'finished' or 'acted'");
  }
  if (m.kind === 'acted') requireStrings(m, 'result', ['actionId']);
  requireStrings(m, 'result', ['status']);
  return m as unknown as ResultMessage;
}

export function parseCallbackMessage(raw: unknown): CallbackMessage {
  const m = envelope(raw, 'callback');
  requireStrings(m, 'callback', ['url']);
  parseResultMessage(m.result);
  return m as unknown as CallbackMessage;
}

export function parseLifecycleEvent(raw: unknown): LifecycleEvent {
  const m = envelope(raw, 'event');
  if (typeof m.type !== 'string' || !(SAGA_LIFECYCLE as readonly string[]).includes(m.type)) {
    throw new InvalidMessageError(`event.type must be one of ${SAGA_LIFECYCLE.join(', ')}`);
  }
  return m as unknown as LifecycleEvent;
}
