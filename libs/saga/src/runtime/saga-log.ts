import type { SagaLogFormat } from '../interfaces/saga-module-options.interface';

/** A log line as fields, for a JSON logger (Nest's `ConsoleLogger({ json: true })`, `nestjs-pino`). */
export interface SagaLogRecord {
  message: string;
  sagaId: string;
  traceId: string;
  flow?: string;
  step?: string;
  task?: string;
}

/** What a log line can be told about its saga: a saga's state, a task message or a task context. */
type SagaLogSubject = ({ sagaId: string } | { id: string }) & {
  traceId: string;
  flow?: string;
  /** A step's name, or (in a saga's state) the index of its current step in `steps`. */
  step?: string | number;
  steps?: readonly { name: string }[];
  task?: string;
};

let format: SagaLogFormat = 'text';

/**
 * Sets how {@link sagaLog} writes, for the whole process: `SagaModule` calls it with its `logFormat` option
 * (`SAGA_LOG_FORMAT`). One format per process, as the process has one logger.
 */
export function setSagaLogFormat(next: SagaLogFormat): void {
  format = next;
}

/**
 * A log line that carries the saga and trace ids, so that one grep (or one query) finds a saga across
 * services: in `text`, the text with `sagaId=… traceId=…` appended; in `json`, a {@link SagaLogRecord}, which
 * Nest's JSON console logger and `nestjs-pino` write as fields.
 */
export function sagaLog(text: string, subject: SagaLogSubject): string | SagaLogRecord {
  const sagaId = 'sagaId' in subject ? subject.sagaId : subject.id;
  if (format === 'text') return `${text} sagaId=${sagaId} traceId=${subject.traceId}`;
  const step = typeof subject.step === 'number' ? subject.steps?.[subject.step]?.name : subject.step;
  const record: SagaLogRecord = { message: text, sagaId, traceId: subject.traceId };
  if (subject.flow !== undefined) record.flow = subject.flow;
  if (step !== undefined) record.step = step;
  if (subject.task !== undefined) record.task = subject.task;
  return record;
}
