import { setTimeout as sleep } from 'node:timers/promises';
import { FAULT_TARGETS, type FaultTarget } from '@dta/booking';
import type { GatewayClient } from '../support/distributed/gateway-client';

/** Every `FAULTED_EVERY`-th booking asks a task to fail for good, so it must end compensated. */
export const FAULTED_EVERY = 7;
const QUANTITY = 1;
/** One POST may take this long before the stream tries the next gateway. */
const REQUEST_TIMEOUT_MS = 15_000;
const RETRY_PAUSE_MS = 250;

/** One booking of a stream, and what the gateways answered. */
export interface StreamedBooking {
  traceId: string;
  productId: string;
  quantity: number;
  /** The task it asked to fail (`faultInject`), if it is one of the faulted ones. */
  faulted?: FaultTarget;
  /** Set once a gateway answered 202. */
  sagaId?: string;
  /** POSTs it took (a killed gateway, a broker or store outage: the same booking again, same key). */
  tries: number;
  /** Why it was never accepted, if it was not. */
  refused?: string;
}

export interface BookingStreamOptions {
  /** Names this stream's trace ids (each one is the booking's idempotency key). */
  id: string;
  /** Booking `i` is for `products[i % products.length]`. */
  products: string[];
  /** The live gateways, asked in turn; called on every try, so a restarted gateway comes back. */
  gateways: () => GatewayClient[];
  /** Bookings per second; unset: as fast as the gateways accept them, `concurrency` at a time. */
  ratePerSecond?: number;
  concurrency: number;
  /** At most this many bookings. */
  maxBookings: number;
  /** Stops starting bookings once this returns true (the fault is over); also stopped by `maxMs`. */
  until?: () => boolean;
  maxMs: number;
  /** How long one booking is retried (same idempotency key) before it counts as refused. */
  acceptWithinMs: number;
  /** Extra body fields of every booking. */
  extra?: object;
}

/**
 * Posts a bounded stream of async bookings (`POST /bookings?mode=async`), 1 in {@link FAULTED_EVERY} with a
 * `faultInject` (cycling through the tasks). A booking not answered 202 is posted again to the next gateway
 * with the same `x-request-id`, as a client would after a timeout: it names the same saga, never a second one.
 */
export async function streamBookings(options: BookingStreamOptions): Promise<StreamedBooking[]> {
  const bookings: StreamedBooking[] = [];
  const inFlight = new Set<Promise<void>>();
  const startedAt = Date.now();
  for (let i = 0; i < options.maxBookings; i++) {
    if (options.until?.() || Date.now() - startedAt >= options.maxMs) break;
    if (options.ratePerSecond) {
      const due = startedAt + (i * 1000) / options.ratePerSecond;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    const booking = newBooking(options, i);
    bookings.push(booking);
    const posting = post(booking, options).finally(() => inFlight.delete(posting));
    inFlight.add(posting);
  }
  await Promise.all(inFlight);
  return bookings;
}

function newBooking(options: BookingStreamOptions, i: number): StreamedBooking {
  const faulted = i % FAULTED_EVERY === FAULTED_EVERY - 1;
  return {
    traceId: `${options.id}-${i}`,
    productId: options.products[i % options.products.length],
    quantity: QUANTITY,
    faulted: faulted ? FAULT_TARGETS[Math.floor(i / FAULTED_EVERY) % FAULT_TARGETS.length] : undefined,
    tries: 0,
  };
}

async function post(booking: StreamedBooking, options: BookingStreamOptions): Promise<void> {
  const body = {
    productId: booking.productId,
    quantity: booking.quantity,
    ...(booking.faulted ? { faultInject: booking.faulted } : {}),
    ...options.extra,
  };
  const deadline = Date.now() + options.acceptWithinMs;
  let last = 'never tried';
  for (;;) {
    const gateways = options.gateways();
    const gateway = gateways[booking.tries % gateways.length];
    booking.tries++;
    try {
      const answer = await gateway.book(body, {
        mode: 'async',
        traceId: booking.traceId,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (answer.status === 202 && answer.body.sagaId) {
        booking.sagaId = answer.body.sagaId;
        return;
      }
      last = `${gateway.name} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
      // A 4xx is the request's fault: posting it again would not help.
      if (answer.status >= 400 && answer.status < 500) break;
    } catch (error) {
      last = `${gateway.name}: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() >= deadline) break;
    await sleep(RETRY_PAUSE_MS);
  }
  booking.refused = last;
}
