import { TASK_TIMEOUT_ERROR } from '../engine/saga.engine';
import type { ReplyMessage, TaskMessage, WorkerReply } from '../transport/saga-messages';
import type { MessageHandler, SagaTransport } from '../transport/saga-transport.interface';
import type { ArmedFault, SagaFaults } from './saga-faults';

/** What becomes of the worker's next reply to one attempt. */
type ReplyFate = { kind: 'drop' } | { kind: 'outrun'; message: string };

/**
 * `transport`, with the faults armed in `faults` applied to task attempts between the broker and the worker:
 * everything else goes through unchanged, so the worker, its barrier and the orchestrator meet the fault as
 * they would in production.
 */
export function withFaults(transport: SagaTransport, faults: SagaFaults): SagaTransport {
  const fates = new Map<string, ReplyFate>();

  const sendReply = (reply: ReplyMessage, replyTo?: string): Promise<void> => {
    if (reply.kind !== 'run') return transport.sendReply(reply, replyTo);
    const key = attemptKey(reply);
    const fate = fates.get(key);
    fates.delete(key);
    if (fate?.kind === 'drop') return Promise.resolve();
    if (fate?.kind === 'outrun') {
      const { v, sagaId, flow, traceId, kind, task, attempt } = reply;
      const error = { name: TASK_TIMEOUT_ERROR, message: fate.message };
      const outrun: WorkerReply = {
        v,
        sagaId,
        flow,
        traceId,
        kind,
        task,
        attempt,
        ok: false,
        error,
        retryable: true,
      };
      return transport.sendReply({ ...outrun, outcome: 'unknown' }, replyTo);
    }
    return transport.sendReply(reply, replyTo);
  };

  const deliver = async (handler: MessageHandler<TaskMessage>, message: TaskMessage): Promise<void> => {
    const fault = message.kind === 'run' ? faults.take(message.flow, message.task) : undefined;
    if (!fault) return handler(message);
    await faulted(fault, handler, message);
  };

  const faulted = async (fault: ArmedFault, handler: MessageHandler<TaskMessage>, message: TaskMessage) => {
    switch (fault.kind) {
      case 'reject':
        return transport.sendReply(refusal(message, fault), message.replyTo);
      case 'timeout':
        fates.set(attemptKey(message), { kind: 'outrun', message: fault.message });
        return handler(message);
      case 'loseReply':
        fates.set(attemptKey(message), { kind: 'drop' });
        await handler(message);
        // Redelivered, as after a worker that crashed before it acknowledged.
        return handler(message);
      case 'duplicate':
        await Promise.all([handler(message), handler(message)]);
    }
  };

  return new Proxy(transport, {
    get(target, property, receiver) {
      if (property === 'sendReply') return sendReply;
      if (property === 'consumeTasks') {
        return (...[flow, task, handler, options]: Parameters<SagaTransport['consumeTasks']>) =>
          target.consumeTasks(flow, task, (message) => deliver(handler, message), options);
      }
      const value: unknown = Reflect.get(target, property, receiver);
      // Bound to the transport itself: its private fields are not the proxy's.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function attemptKey(m: { sagaId: string; task: string; attempt: number }): string {
  return `${m.sagaId}/${m.task}#${m.attempt}`;
}

function refusal(message: TaskMessage, fault: ArmedFault): WorkerReply {
  const { v, sagaId, flow, traceId, kind, task, attempt } = message;
  const error = {
    name: 'TaskRejectedError',
    message: fault.message,
    rejected: true,
    ...(fault.details ? { details: fault.details } : {}),
  };
  return { v, sagaId, flow, traceId, kind, task, attempt, ok: false, error, retryable: false };
}
