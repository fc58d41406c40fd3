import type { SagaTransport } from '../transport/saga-transport.interface';
import { validateWireMessage, type WireMessageKind } from './wire-schemas';

const SENDS: Record<string, { kind: WireMessageKind; arg: number }> = {
  sendStart: { kind: 'start', arg: 0 },
  sendTask: { kind: 'task', arg: 0 },
  sendReply: { kind: 'reply', arg: 0 },
  sendResult: { kind: 'result', arg: 1 },
  sendCallback: { kind: 'callback', arg: 0 },
  publishEvent: { kind: 'event', arg: 0 },
};

const CONSUMES: Record<string, { kind: WireMessageKind; handler: number }> = {
  consumeStarts: { kind: 'start', handler: 1 },
  consumeThrottledStarts: { kind: 'start', handler: 1 },
  consumeTasks: { kind: 'task', handler: 2 },
  consumeReplies: { kind: 'reply', handler: 1 },
  consumeResults: { kind: 'result', handler: 1 },
  consumeCallbacks: { kind: 'callback', handler: 0 },
  consumeEvents: { kind: 'event', handler: 2 },
};

/**
 * `transport`, with every message sent through it and every message it hands to a handler checked against the
 * wire schemas; what breaks them is collected in `violations`. The transport contract suite runs every
 * transport this way, so whatever a real transport carries is valid wire format.
 */
export function wireChecked(transport: SagaTransport, violations: string[]): SagaTransport {
  const check = (kind: WireMessageKind, how: string, message: unknown): void => {
    // As on a real broker: the JSON text, without undefined fields.
    const errors = validateWireMessage(kind, JSON.parse(JSON.stringify(message)));
    if (errors.length > 0) violations.push(`${how} ${kind}: ${errors.join('; ')}`);
  };
  return new Proxy(transport, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const method = value as (...args: unknown[]) => unknown;
      const send = SENDS[property];
      const consume = CONSUMES[property];
      return (...args: unknown[]) => {
        if (send) check(send.kind, 'sent', args[send.arg]);
        if (consume) {
          const handler = args[consume.handler] as (message: unknown) => Promise<void>;
          args[consume.handler] = (message: unknown) => {
            check(consume.kind, 'delivered', message);
            return handler(message);
          };
        }
        return method.apply(target, args);
      };
    },
  });
}
