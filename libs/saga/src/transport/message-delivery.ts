import { InvalidMessageError } from './saga-messages';
import type { MessageHandler } from './saga-transport.interface';

/** Turns the JSON form of a message into a typed message, or throws {@link InvalidMessageError}. */
export type MessageParser<M> = (raw: unknown) => M;

/**
 * What a transport does with a delivered message once its handler has run:
 * - `ack`: the handler resolved;
 * - `dead-letter`: the message cannot be parsed or validated, or the handler threw {@link InvalidMessageError}
 *   (redelivering it would fail the same way);
 * - `retry`: the handler threw anything else (a transient fault): redeliver after a pause.
 */
export type DeliveryOutcome =
  { kind: 'ack' } | { kind: 'dead-letter'; reason: string } | { kind: 'retry'; error: unknown };

/**
 * Parses `body` and runs `handler` on it, and says what the transport must do with the message.
 * Never throws: both transports share this so they treat good, bad and failing messages alike.
 */
export async function deliverMessage<M>(
  body: string,
  parse: MessageParser<M>,
  handler: MessageHandler<M>,
): Promise<DeliveryOutcome> {
  let message: M;
  try {
    message = parse(JSON.parse(body));
  } catch (error) {
    // A parser is deterministic: whatever it throws, another delivery would throw it too.
    const reason = error instanceof SyntaxError ? `invalid JSON: ${error.message}` : describeError(error);
    return { kind: 'dead-letter', reason };
  }
  try {
    await handler(message);
    return { kind: 'ack' };
  } catch (error) {
    if (error instanceof InvalidMessageError) return { kind: 'dead-letter', reason: error.message };
    return { kind: 'retry', error };
  }
}

/** One line describing any thrown value, for logs and dead-letter reasons. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
