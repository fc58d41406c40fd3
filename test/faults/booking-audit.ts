import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Order,
  orderIdOf,
  orderKey,
  type Payment,
  paymentIdOf,
  paymentKey,
  stockKey,
} from '@dta/booking';
import type { SagaStatusView } from '@dta/saga';
import Redis from 'ioredis';
import { RedisSagaKeys } from '@dta/saga/store/redis-saga.store';
import type { GatewayClient } from '../support/distributed/gateway-client';
import type { RecordedEvent } from '../support/distributed/lifecycle-event-recorder';
import type { StreamedBooking } from './booking-stream';

const TERMINAL = ['completed', 'compensated', 'stalled'];
const POLL_CONCURRENCY = 8;
const POLL_PAUSE_MS = 500;
const CALL_TIMEOUT_MS = 5_000;

/** What one stream of bookings came to, from the status API and the booking documents in the store. */
export interface StreamFigures {
  /** Bookings a gateway accepted (202). */
  started: number;
  /** Of those, the ones with a `faultInject`: each must end compensated. */
  faulted: number;
  completed: number;
  compensated: number;
  /** Ended `stalled` (a compensation gave up: waiting for an operator). */
  stalled: number;
  /** Not terminal at the drain deadline (running or compensating). */
  stuck: number;
  /** Accepted (202), but `GET /sagas/:id` answers 404: the saga is not in the store. */
  lostStarts: number;
  /**
   * Effects that disagree with the outcomes: per product, |reserved - units of completed bookings| plus
   * |available + reserved - initial stock|; plus one per completed booking whose order is not confirmed,
   * payment not charged or reservation missing, and per compensated booking whose order is not cancelled,
   * payment not refunded or stock still reserved.
   */
  effectsOff: number;
  /** Bookings without a fault that ended compensated or stalled. */
  healthyRolledBack: number;
  /** Bookings no gateway accepted within the retry budget (not counted as started). */
  notAccepted: number;
  /**
   * Sagas whose terminal events contradict each other or the store (two different ends, or an end other than
   * the final status). A missing event (the recorder loses its queue when the broker restarts) is not counted.
   */
  eventsOff: number;
  /** Sagas with an event seen more than once (at-least-once publishing): reported, not a failure. */
  repeatedEvents: number;
  /** Sagas whose terminal event the recorder saw (all of them, unless the broker restarted). */
  endedOnBus: number;
  /** From the end of the stream until the last saga was terminal (or the deadline). */
  drainSeconds: number;
  /** A few examples of what is off, for the failure message. */
  examples: string[];
}

export interface AuditOptions {
  gateways: () => GatewayClient[];
  redisUrl: string;
  /** `SAGA_PREFIX` of the system: the store's key prefix. */
  prefix: string;
  initialStock: number;
  drainMs: number;
  /** The lifecycle events recorded during the scenario (every stream's). */
  events: RecordedEvent[];
}

/** Waits until every accepted booking's saga is terminal (or `drainMs` passed), then counts. */
export async function auditBookings(
  bookings: StreamedBooking[],
  options: AuditOptions,
): Promise<StreamFigures> {
  const drainStart = Date.now();
  const views = await drain(bookings, options);
  const drainSeconds = (Date.now() - drainStart) / 1000;
  const figures: StreamFigures = {
    started: 0,
    faulted: 0,
    completed: 0,
    compensated: 0,
    stalled: 0,
    stuck: 0,
    lostStarts: 0,
    effectsOff: 0,
    healthyRolledBack: 0,
    notAccepted: 0,
    eventsOff: 0,
    repeatedEvents: 0,
    endedOnBus: 0,
    drainSeconds,
    examples: [],
  };
  const example = (line: string) => {
    if (figures.examples.length < 8) figures.examples.push(line);
  };
  for (const booking of bookings) {
    if (!booking.sagaId) {
      figures.notAccepted++;
      example(`not accepted ${booking.traceId}: ${booking.refused ?? '?'}`);
      continue;
    }
    figures.started++;
    if (booking.faulted) figures.faulted++;
    const view = views.get(booking.sagaId);
    const status = view?.status;
    if (status === undefined) {
      figures.lostStarts++;
      example(`lost ${booking.traceId} (saga ${booking.sagaId}): 404`);
      continue;
    }
    if (status === 'completed') figures.completed++;
    else if (status === 'compensated') figures.compensated++;
    else if (status === 'stalled') figures.stalled++;
    else figures.stuck++;
    if (!TERMINAL.includes(status)) example(`stuck ${booking.traceId}: ${describe(view)}`);
    if (status === 'stalled') example(`stalled ${booking.traceId}: ${describe(view)}`);
    if (!booking.faulted && (status === 'compensated' || status === 'stalled')) {
      figures.healthyRolledBack++;
      example(`healthy ${booking.traceId} ended ${status}: ${describe(view)}`);
    }
  }
  figures.effectsOff = await effectsOff(bookings, views, options, example);
  Object.assign(figures, checkEvents(views, options.events, example));
  return figures;
}

/** Figures that must be 0 but are not, and count checks that do not hold, as `name=value`. */
export function offFigures(figures: StreamFigures): string[] {
  const off = (['stalled', 'stuck', 'lostStarts', 'effectsOff', 'healthyRolledBack', 'notAccepted'] as const)
    .filter((name) => figures[name] !== 0)
    .map((name) => `${name}=${figures[name]}`);
  if (figures.completed + figures.compensated !== figures.started) {
    off.push(`completed+compensated=${figures.completed + figures.compensated}!=started=${figures.started}`);
  }
  if (figures.compensated !== figures.faulted) {
    off.push(`compensated=${figures.compensated}!=faulted=${figures.faulted}`);
  }
  return off;
}

/** The last status view of each accepted saga (absent: 404 to the end). */
async function drain(
  bookings: StreamedBooking[],
  options: AuditOptions,
): Promise<Map<string, SagaStatusView>> {
  const views = new Map<string, SagaStatusView>();
  const deadline = Date.now() + options.drainMs;
  let open = bookings.flatMap((b) => (b.sagaId ? [b.sagaId] : []));
  for (;;) {
    const answers = await mapLimited(open, POLL_CONCURRENCY, (id) =>
      askAnyGateway(options, async (gateway, signal) => {
        const answer = await gateway.saga(id, signal);
        if (answer.status !== 200 && answer.status !== 404) throw new Error(`answered ${answer.status}`);
        return answer;
      }),
    );
    open = open.filter((id, i) => {
      const answer = answers[i];
      if (answer?.status === 200) views.set(id, answer.body);
      return !(answer?.status === 200 && TERMINAL.includes(answer.body.status));
    });
    if (open.length === 0 || Date.now() >= deadline) return views;
    await sleep(POLL_PAUSE_MS);
  }
}

async function effectsOff(
  bookings: StreamedBooking[],
  views: Map<string, SagaStatusView>,
  options: AuditOptions,
  example: (line: string) => void,
): Promise<number> {
  let off = 0;
  const status = (b: StreamedBooking) => (b.sagaId ? views.get(b.sagaId)?.status : undefined);
  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await redis.connect();
  try {
    const doc = async <T>(key: string): Promise<T | undefined> => {
      const value = await redis.hget(`${options.prefix}:doc:${key}`, 'value');
      return value === null ? undefined : (JSON.parse(value) as T);
    };
    for (const productId of new Set(bookings.map((b) => b.productId))) {
      const level = await askAnyGateway(options, (g, signal) => g.stock(productId, signal));
      const expected = bookings
        .filter((b) => b.productId === productId && status(b) === 'completed')
        .reduce((sum, b) => sum + b.quantity, 0);
      if (!level) {
        off++;
        example(`no gateway answered GET /inventory/${productId}`);
        continue;
      }
      const wrong =
        Math.abs(level.reserved - expected) +
        Math.abs(level.available + level.reserved - options.initialStock);
      if (wrong > 0) example(`${productId}: ${JSON.stringify(level)}, completed units ${expected}`);
      off += wrong;
    }
    const keys = new RedisSagaKeys(options.prefix);
    /** Units an order holds reserved: its counter entry, while applied (not reverted). */
    const reservedFor = async (productId: string, orderId: string): Promise<number | undefined> => {
      const [state, units] = await redis.hmget(
        keys.counterEntry(stockKey(productId), orderId),
        'state',
        'd:reserved',
      );
      return state === 'applied' && units !== null ? Number(units) : undefined;
    };
    for (const booking of bookings) {
      const outcome = status(booking);
      if (!booking.sagaId || (outcome !== 'completed' && outcome !== 'compensated')) continue;
      const orderId = orderIdOf(booking.sagaId);
      const order = await doc<Order>(orderKey(orderId));
      const payment = await doc<Payment>(paymentKey(paymentIdOf(booking.sagaId)));
      const reserved = await reservedFor(booking.productId, orderId);
      const right =
        outcome === 'completed'
          ? order?.status === 'confirmed' && payment?.status === 'charged' && reserved === booking.quantity
          : (order === undefined || order.status === 'cancelled') &&
            (payment === undefined || payment.status === 'refunded') &&
            reserved === undefined;
      if (!right) {
        off++;
        example(
          `${outcome} ${booking.traceId}: order ${order?.status ?? 'none'}, payment ${payment?.status ?? 'none'}, reserved ${reserved ?? 0}`,
        );
      }
    }
  } finally {
    redis.disconnect();
  }
  return off;
}

function checkEvents(
  views: Map<string, SagaStatusView>,
  events: RecordedEvent[],
  example: (line: string) => void,
): Pick<StreamFigures, 'eventsOff' | 'repeatedEvents' | 'endedOnBus'> {
  const seen = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    if (views.has(event.sagaId)) seen.set(event.sagaId, [...(seen.get(event.sagaId) ?? []), event]);
  }
  const counts = { eventsOff: 0, repeatedEvents: 0, endedOnBus: 0 };
  for (const [sagaId, sagaEvents] of seen) {
    const status = views.get(sagaId)?.status;
    const ends = new Set(sagaEvents.map((e) => e.type).filter((type) => TERMINAL.includes(type)));
    if (ends.size > 0) counts.endedOnBus++;
    if (ends.size > 1 || [...ends].some((end) => end !== status)) {
      counts.eventsOff++;
      example(`events of ${sagaId}: ${sagaEvents.map((e) => e.type).join(', ')}; store: ${status}`);
    }
    const keys = sagaEvents.map((e) => `${e.type}:${e.step ?? ''}:${e.task ?? ''}`);
    if (new Set(keys).size < keys.length) counts.repeatedEvents++;
  }
  return counts;
}

/** Asks each gateway in turn until one call resolves; undefined if every one throws. */
async function askAnyGateway<T>(
  options: AuditOptions,
  call: (gateway: GatewayClient, signal: AbortSignal) => Promise<T>,
): Promise<T | undefined> {
  for (const gateway of options.gateways()) {
    try {
      return await call(gateway, AbortSignal.timeout(CALL_TIMEOUT_MS));
    } catch {
      // down, slow or answering 5xx: the next gateway
    }
  }
  return undefined;
}

async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function describe(view: SagaStatusView | undefined): string {
  if (!view) return '404';
  const tasks = view.steps
    .flatMap((s) => s.tasks)
    .filter((t) => t.status !== 'succeeded' || (t.compensation && t.compensation.status !== 'succeeded'))
    .map(
      (t) =>
        `${t.name}:${t.status}${t.compensation ? `/comp ${t.compensation.status}` : ''}${t.error ? ` (${t.error.message})` : ''}`,
    );
  const failure = view.failure ? ` failure ${view.failure.task}: ${view.failure.error.message}` : '';
  return `${view.status}${failure} [${tasks.join(', ')}]`;
}
