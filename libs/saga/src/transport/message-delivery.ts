import type { LoggerService } from '@nestjs/common';
import { InvalidMessageError } from './saga-messages';
import type { MessageHandler } from './saga-transport.interface';
import { inSenderContext } from './trace-context';
import { isTransientFault } from '../vocabulary';

/** Turns the JSON form of a message into a typed message, or throws {@link InvalidMessageError}. */
export type MessageParser<M> = (raw: unknown) => M;

/** Bounds every consumer of a transport applies to the messages it takes, before and after their handler. */
export interface DeliveryLimits {
  /**
   * Deliveries of one message whose handler threw (anything but `InvalidMessageError`) before the message goes
   * to the dead-letter queue, with the last error and the count. A handler that runs long, a consumer that
   * dies while holding a message, or a handler that throws `TransientFaultError` (an outage) uses no delivery.
   * `0`: no limit (redelivered until a handler takes it).
   * @default 5
   */
  maxDeliveries?: number;
  /**
   * Largest message body (UTF-8 bytes) a consumer hands to its handler; a larger one is dead-lettered unread.
   * Ten times Express's default JSON body limit (100 kB), since a task message carries the saga input and the
   * outputs of earlier tasks.
   * @default 1_048_576 (1 MiB)
   */
  maxMessageBytes?: number;
  /**
   * Deepest nesting of objects and arrays a consumer hands to its handler; a deeper message is dead-lettered
   * unread (deep JSON overflows the stack of `structuredClone` and `JSON.stringify` at about 3,000 levels).
   * Protobuf's default recursion limit.
   * @default 100
   */
  maxMessageDepth?: number;
}

/** {@link DeliveryLimits} with every default applied. */
export type ResolvedDeliveryLimits = Required<DeliveryLimits>;

/** Applies the defaults documented on {@link DeliveryLimits}, in one place, for both transports. */
export function resolveDeliveryLimits(limits: DeliveryLimits): ResolvedDeliveryLimits {
  return {
    maxDeliveries: limits.maxDeliveries ?? 5,
    maxMessageBytes: limits.maxMessageBytes ?? 1_048_576,
    maxMessageDepth: limits.maxMessageDepth ?? 100,
  };
}

/** One delivery of a message: its body as it was on the queue, and which delivery this is (1 = the first). */
export interface Delivery {
  body: string;
  delivery: number;
  /** The message's W3C `traceparent` header, if it has one: the handler runs as a child of that span. */
  traceparent?: string;
}

/**
 * What a transport does with a delivered message once its handler has run:
 * - `ack`: the handler resolved;
 * - `dead-letter`: the message is too large or too deep, cannot be parsed or validated, its handler threw
 *   {@link InvalidMessageError} (redelivering it would fail the same way), or its handler failed on its last
 *   allowed delivery; `deliveries` is how many deliveries it had;
 * - `retry`: the handler threw anything else: deliver it again, as delivery `next`, after a pause (`next` is
 *   this delivery again when the handler threw `TransientFaultError`: an outage uses no delivery).
 */
export type DeliveryOutcome =
  | { kind: 'ack' }
  | { kind: 'dead-letter'; reason: string; deliveries: number }
  | { kind: 'retry'; error: unknown; next: number };

/**
 * Checks the bounds of `limits`, parses the body and runs `handler` on it, and says what the transport must do
 * with the message. Never throws: both transports share this so they treat good, bad and failing messages alike.
 */
export async function deliverMessage<M>(
  { body, delivery, traceparent }: Delivery,
  parse: MessageParser<M>,
  handler: MessageHandler<M>,
  limits: ResolvedDeliveryLimits,
): Promise<DeliveryOutcome> {
  const deadLetter = (reason: string): DeliveryOutcome => ({
    kind: 'dead-letter',
    reason,
    deliveries: delivery,
  });
  const oversize = checkBounds(body, limits);
  if (oversize) return deadLetter(oversize);
  let message: M;
  try {
    message = parse(JSON.parse(body));
  } catch (error) {
    // A parser is deterministic: whatever it throws, another delivery would throw it too.
    return deadLetter(error instanceof SyntaxError ? `invalid JSON: ${error.message}` : describeError(error));
  }
  try {
    await inSenderContext(traceparent, handler, message);
    return { kind: 'ack' };
  } catch (error) {
    if (error instanceof InvalidMessageError) return deadLetter(error.message);
    if (isTransientFault(error)) return { kind: 'retry', error, next: delivery };
    if (limits.maxDeliveries > 0 && delivery >= limits.maxDeliveries) {
      return deadLetter(`handler failed on ${delivery} deliveries; last error: ${describeError(error)}`);
    }
    return { kind: 'retry', error, next: delivery + 1 };
  }
}

/** Why `body` is out of bounds, or `undefined` if it is within them. Iterative: any depth is safe to measure. */
function checkBounds(body: string, limits: ResolvedDeliveryLimits): string | undefined {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > limits.maxMessageBytes) {
    return `message of ${bytes} bytes exceeds maxMessageBytes (${limits.maxMessageBytes})`;
  }
  if (nestingDepth(body, limits.maxMessageDepth) > limits.maxMessageDepth) {
    return `message nested deeper than maxMessageDepth (${limits.maxMessageDepth})`;
  }
  return undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/**
 * Deepest nesting of arrays and objects in a JSON text, read without parsing it (brackets inside strings do
 * not count); stops as soon as it passes `stopAbove`.
 */
export function nestingDepth(text: string, stopAbove: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (OPENERS.has(c)) {
      deepest = Math.max(deepest, ++depth);
      if (deepest > stopAbove) return deepest;
    } else if (CLOSERS.has(c)) {
      depth--;
    }
  }
  return deepest;
}

/** One line describing any thrown value, for logs and dead-letter reasons. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * Header of a message copied back to its queue after a failed delivery: which delivery of the message it is
 * (2, 3, ...). Absent on a first delivery. A redelivery by the broker (the consumer died holding it) keeps the
 * count. Brokers' own counters also count those, which use no delivery, so the count travels in the message.
 */
export const DELIVERY_HEADER = 'x-dta-delivery';

/** Which delivery a message is, from the value of its {@link DELIVERY_HEADER} (1 when absent or malformed). */
export function deliveryFromHeader(value: unknown): number {
  const delivery = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(delivery) && delivery > 1 ? delivery : 1;
}

/** Longest `x-dta-reason` kept; parser messages are short, handler messages might not be. */
const MAX_REASON_LENGTH = 1000;

/** The headers of a dead letter, on every broker: why, after how many deliveries, from which queue, when. */
export function deadLetterHeaders(reason: string, deliveries: number, sourceQueue: string) {
  return {
    'x-dta-reason': reason.slice(0, MAX_REASON_LENGTH).replace(/[\r\n]+/g, ' '),
    'x-dta-deliveries': deliveries,
    'x-dta-source-queue': sourceQueue,
    'x-dta-dead-lettered-at': new Date().toISOString(),
  };
}

/** How an adapter settles one delivery on its broker. */
export interface DeliverySettlement {
  /** The queue, for the logs. */
  queue: string;
  logger: LoggerService;
  /** Removes the message from its queue. */
  ack(): void;
  /** Gives the message back to its queue as it was (its count unchanged). */
  requeue(): void;
  /** Puts the message, as received, on the dead-letter queue; resolves once the broker holds it. */
  deadLetter(reason: string, deliveries: number): Promise<void>;
  /** Puts a copy of the message on its queue as delivery `next`; resolves once the broker holds it. */
  redeliver(next: number): Promise<void>;
  /** Waits the redelivery delay (less if the consumer stops meanwhile). */
  pause(): Promise<void>;
}

/**
 * Settles a delivery by the outcome of {@link deliverMessage}, alike on every broker: `ack` acks; `dead-letter`
 * copies the message to the dead-letter queue, then acks (if the copy fails: a pause, then it is requeued);
 * `retry` waits the pause, copies it back as delivery `next`, then acks the original (if the copy fails it is
 * requeued with its count unchanged: at least once holds, a duplicate is possible).
 */
export async function settleDelivery(outcome: DeliveryOutcome, how: DeliverySettlement): Promise<void> {
  const { queue, logger } = how;
  switch (outcome.kind) {
    case 'ack':
      how.ack();
      return;
    case 'dead-letter':
      try {
        await how.deadLetter(outcome.reason, outcome.deliveries);
      } catch (error) {
        logger.error(`Could not dead-letter a message of ${queue}: ${describeError(error)}`);
        await how.pause();
        how.requeue();
        return;
      }
      logger.warn(`Message of ${queue} dead-lettered: ${outcome.reason}`);
      how.ack();
      return;
    case 'retry':
      logger.warn(
        `Handler of ${queue} failed, delivering again (delivery ${outcome.next}): ${describeError(outcome.error)}`,
      );
      await how.pause();
      try {
        await how.redeliver(outcome.next);
      } catch (error) {
        logger.error(`Could not republish a message of ${queue}: ${describeError(error)}`);
        how.requeue();
        return;
      }
      how.ack();
      return;
  }
}
