import { SpanKind } from '@opentelemetry/api';
import type { SagaState } from '../engine/saga-state';
import type { DueTimer } from '../store/saga-store.interface';
import type { OperatorMessage, StartMessage, TaskMessage, WorkerReply } from '../transport/saga-messages';
import type { SagaSpanOptions } from './saga.tracer';

/** The attribute names of DTA's spans (docs/TRACING.md). */
export const SAGA_SPAN_ATTRIBUTES = {
  sagaId: 'dta.saga.id',
  flow: 'dta.saga.flow',
  status: 'dta.saga.status',
  step: 'dta.step',
  task: 'dta.task',
  attempt: 'dta.attempt',
  timer: 'dta.timer',
} as const;

const A = SAGA_SPAN_ATTRIBUTES;

/**
 * The spans DTA runs its handlers in, by name and attributes, in one place (docs/TRACING.md lists them); the
 * saga and step spans, emitted after the fact, are `SagaTracer.transitioned`'s.
 */
export const SAGA_SPANS = {
  /** An orchestrator's handling of a start message. */
  start: (message: StartMessage): SagaSpanOptions => ({
    name: `saga start ${message.flow}`,
    sagaId: message.sagaId,
    traceId: message.traceId,
    kind: SpanKind.CONSUMER,
    attributes: { [A.flow]: message.flow },
  }),
  /** An orchestrator's handling of a worker's reply. */
  reply: (reply: WorkerReply): SagaSpanOptions => ({
    name: `saga reply ${reply.flow} ${reply.task}`,
    sagaId: reply.sagaId,
    traceId: reply.traceId,
    kind: SpanKind.CONSUMER,
    attributes: { [A.flow]: reply.flow, [A.task]: reply.task, [A.attempt]: reply.attempt },
  }),
  /** An orchestrator's handling of an operator's action. */
  operator: (message: OperatorMessage): SagaSpanOptions => ({
    name: `saga operator ${message.action.type} ${message.flow}`,
    sagaId: message.sagaId,
    traceId: message.traceId,
    kind: SpanKind.CONSUMER,
    attributes: { [A.flow]: message.flow },
  }),
  /** An orchestrator's firing of a due timer of `saga`. */
  timer: (saga: SagaState, due: DueTimer): SagaSpanOptions => ({
    name: `saga timer ${saga.flow}`,
    sagaId: saga.id,
    traceId: saga.traceId,
    attributes: {
      [A.flow]: saga.flow,
      [A.timer]: due.timer.kind,
      ...(due.timer.task ? { [A.task]: due.timer.task } : {}),
    },
  }),
  /** The sweeper's republishing of commands a crashed replica left in the outbox. */
  republish: (saga: SagaState): SagaSpanOptions => ({
    name: `saga republish ${saga.flow}`,
    sagaId: saga.id,
    traceId: saga.traceId,
    attributes: { [A.flow]: saga.flow },
  }),
  /** A worker's handling of a task or compensation command, its reply included. */
  task: (message: TaskMessage): SagaSpanOptions => ({
    name: `saga ${message.kind === 'run' ? 'task' : 'compensate'} ${message.task}`,
    sagaId: message.sagaId,
    traceId: message.traceId,
    kind: SpanKind.CONSUMER,
    attributes: {
      [A.flow]: message.flow,
      [A.step]: message.step,
      [A.task]: message.task,
      [A.attempt]: message.attempt,
    },
  }),
};
