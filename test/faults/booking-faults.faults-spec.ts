import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Booking } from '@dta/booking/booking.contract';
import { SagaTopology } from '@dta/saga';
import { DistributedSystem } from '../support/distributed/distributed-system';
import type { GatewayClient } from '../support/distributed/gateway-client';
import { LifecycleEventRecorder } from '../support/distributed/lifecycle-event-recorder';
import { auditBookings } from './booking-audit';
import { type BookingStreamOptions, streamBookings } from './booking-stream';
import { DuplicatingTap } from './duplicating-tap';
import { faultProfileFromEnv } from './fault-profile';
import { FaultServers } from './fault-servers';
import { type FaultRow, renderTable, rowOff } from './figures-table';
import { collectDeadLettered, publishPoison } from './poison-messages';

/*
 * The booking system as it is deployed (two gateways, two orchestrators, one order, payment and inventory
 * service, each its own process from the TypeScript sources) on a RabbitMQ node and a Redis (append-only
 * file) of this suite alone, under a stream of async bookings that spans one fault per scenario. Each
 * scenario runs two streams at once, one on a single product and one over many, and counts each from the
 * status API and the booking documents: see docs/RELIABILITY.md. DTA_E2E_LOGS=1 shows the processes' output.
 */

const profile = faultProfileFromEnv(process.env);
const PORTS = {
  amqp: Number(process.env.DTA_FAULTS_AMQP_PORT) || 5699,
  redis: Number(process.env.DTA_FAULTS_REDIS_PORT) || 6399,
};
const REPORT = process.env.DTA_FAULTS_REPORT || join(tmpdir(), `dta-faults-${profile.name}.md`);
const INITIAL_STOCK = 1_000_000;
/** Seven ts-node processes on two cores take 20-40 s to come up, one alone 10-20 s. */
const STARTUP_MS = 150_000;
/** How long one booking is posted again (same key) before it counts as not accepted. */
const ACCEPT_WITHIN_MS = 60_000;
/** Requests in flight per stream outside the overload scenario. */
const STREAM_CONCURRENCY = 16;
/** Bounds every stream in time, whatever its fault does. */
const STREAM_MAX_MS = 10 * 60_000;
const TASK_SERVICES = ['order-service', 'payment-service', 'inventory-service'] as const;

/** What a fault reports back for the table. */
interface FaultOutcome {
  notes: string;
  extraOff?: string[];
}

interface Scenario {
  name: string;
  /** Runs once the streams are under way; resolves when the fault is over (the system is back). */
  fault?: () => Promise<FaultOutcome>;
  /** Bookings as fast as the gateways accept them, count-bounded, instead of a steady rate. */
  overload?: boolean;
  /** Extra body fields of every booking of the scenario (computed when it starts). */
  extra?: () => object;
  /** Longest the fault itself takes, for the test timeout. */
  faultMs: number;
}

describe(`the booking system under faults (${profile.name} form)`, () => {
  const run = randomBytes(3).toString('hex');
  const prefix = `dta-faults-${run}`;
  const names = new SagaTopology(prefix);
  const tasks = Object.values(Booking.task).map((t) => t.name);
  const flowQueues = [
    names.startQueue(Booking.name),
    ...tasks.map((task) => names.taskQueue(Booking.name, task)),
    names.replyQueue(Booking.name),
  ];
  const rows: FaultRow[] = [];
  let servers: FaultServers | undefined;
  let system: DistributedSystem | undefined;

  const live = (): DistributedSystem => {
    if (!system) throw new Error('the system did not start');
    return system;
  };
  const gateways = (): GatewayClient[] =>
    live()
      .of('gateway')
      .map((g) => live().gateway(g.replica));

  /** Crashes `name`, keeps it down `downMs`, starts it again and waits until it runs. */
  const outage = async (name: string, downMs: number): Promise<FaultOutcome> => {
    const killedAt = Date.now();
    await live().crash(name);
    await sleep(downMs);
    live().revive(name);
    await live().waitUntilReady(STARTUP_MS);
    return { notes: `${name} down ${((Date.now() - killedAt) / 1000).toFixed(1)} s (kill to ready)` };
  };

  const scenarios: Scenario[] = [
    { name: 'overload, no fault', overload: true, faultMs: 0 },
    {
      name: 'duplicated commands and replies',
      faultMs: profile.duplicationMs,
      fault: async () => {
        const replicas = live()
          .of('orchestrator')
          .map((p) => names.replicaReplyQueue(Booking.name, p.instanceId));
        const tap = await DuplicatingTap.open(servers!.amqpUrl, names, flowQueues, replicas);
        await sleep(profile.duplicationMs);
        await tap.close();
        return { notes: `${tap.copies} starts, tasks and replies delivered twice` };
      },
    },
    {
      name: 'poison messages',
      faultMs: 60_000,
      fault: async () => {
        const ids = await publishPoison(servers!.amqpUrl, flowQueues, run);
        const counts = await collectDeadLettered(servers!.amqpUrl, names.deadLetterQueue, ids, {
          timeoutMs: 45_000,
          quietMs: 3_000,
        });
        const once = [...counts.values()].filter((n) => n === 1).length;
        const wrong = [...counts].filter(([, n]) => n !== 1).map(([id, n]) => `dead-lettered ${n}x: ${id}`);
        return { notes: `${once}/${ids.length} poison messages dead-lettered exactly once`, extraOff: wrong };
      },
    },
    {
      name: 'kill -9 orchestrator#1, restart',
      faultMs: STARTUP_MS,
      fault: () => outage('orchestrator#1', 0),
    },
    { name: 'kill -9 gateway#1, restart', faultMs: STARTUP_MS, fault: () => outage('gateway#1', 0) },
    ...profile.serviceOutagesMs.flatMap((downMs) =>
      TASK_SERVICES.map((service): Scenario => ({
        name: `kill -9 ${service} for ${downMs / 1000} s`,
        faultMs: downMs + STARTUP_MS,
        fault: () => outage(`${service}#1`, downMs),
      })),
    ),
    {
      name: `compensations fail for ${profile.compensationOutageMs / 1000} s`,
      faultMs: profile.compensationOutageMs,
      extra: () => ({ failCompensationsUntil: Date.now() + profile.leadMs + profile.compensationOutageMs }),
      fault: async () => {
        await sleep(profile.compensationOutageMs);
        return { notes: 'every compensation throws until failCompensationsUntil, then succeeds' };
      },
    },
    {
      name: 'RabbitMQ restart',
      faultMs: 180_000,
      fault: async () => {
        const at = Date.now();
        await servers!.restartRabbitMq();
        return { notes: `stop_app + start_app, back in ${((Date.now() - at) / 1000).toFixed(1)} s` };
      },
    },
    {
      name: 'Redis kill -9, restart on its AOF',
      faultMs: 60_000,
      fault: async () => {
        const at = Date.now();
        await servers!.crashRedis(2_000);
        return { notes: `appendfsync everysec; back in ${((Date.now() - at) / 1000).toFixed(1)} s` };
      },
    },
  ];

  /** Runs the two streams over the scenario's fault and counts each. */
  const measure = async (scenario: Scenario): Promise<FaultRow[]> => {
    const tag = scenario.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const crashesBefore = live().crashes.length;
    /** When the fault was over: the streams run `tailMs` longer. */
    let overAt = Number.POSITIVE_INFINITY;
    const common: Omit<BookingStreamOptions, 'id' | 'products'> = scenario.overload
      ? {
          gateways,
          concurrency: profile.overloadConcurrency,
          maxBookings: profile.overloadCount,
          maxMs: STREAM_MAX_MS,
          acceptWithinMs: ACCEPT_WITHIN_MS,
        }
      : {
          gateways,
          ratePerSecond: profile.ratePerSecond,
          concurrency: STREAM_CONCURRENCY,
          maxBookings: profile.maxBookingsPerStream,
          maxMs: STREAM_MAX_MS,
          acceptWithinMs: ACCEPT_WITHIN_MS,
          until: () => Date.now() >= overAt + profile.tailMs,
          extra: scenario.extra?.(),
        };
    const kinds = [
      { products: 'one' as const, ids: [`${tag}-${run}-hot`] },
      {
        products: 'many' as const,
        ids: Array.from({ length: profile.manyProducts }, (_, i) => `${tag}-${run}-p${i}`),
      },
    ];
    const recorder = await LifecycleEventRecorder.open(servers!.amqpUrl, names.eventsExchange, [
      names.eventKey(Booking.name, '*'),
    ]);
    const streams = kinds.map((kind) =>
      streamBookings({ ...common, id: `${tag}-${run}-${kind.products}`, products: kind.ids }),
    );
    let outcome: FaultOutcome = { notes: '' };
    if (scenario.fault) {
      await sleep(profile.leadMs);
      outcome = await scenario.fault();
    }
    overAt = Date.now();
    const bookings = await Promise.all(streams);
    const figures = await Promise.all(
      bookings.map((stream) =>
        auditBookings(stream, {
          gateways,
          redisUrl: servers!.redisUrl,
          prefix,
          initialStock: INITIAL_STOCK,
          drainMs: profile.drainMs,
          events: recorder.events,
        }),
      ),
    );
    await recorder.close();
    const crashed = live().crashes.slice(crashesBefore);
    // A process that died on its own is started again, so that the next scenario has the whole system.
    for (const name of new Set(crashed.map((c) => c.name))) live().revive(name);
    if (crashed.length > 0) await live().waitUntilReady(STARTUP_MS);
    return kinds.map((kind, i) => ({
      scenario: scenario.name,
      products: kind.products,
      figures: figures[i],
      crashed: crashed.length,
      notes: [
        outcome.notes,
        `${figures[i].endedOnBus}/${figures[i].started} ends seen on the events exchange`,
        figures[i].repeatedEvents > 0
          ? `${figures[i].repeatedEvents} sagas with an event published twice`
          : '',
        ...crashed.map((c) => `${c.name} exited (${c.code})`),
      ]
        .filter(Boolean)
        .join('; '),
      extraOff: i === 0 ? (outcome.extraOff ?? []) : [],
    }));
  };

  beforeAll(async () => {
    servers = await FaultServers.start(PORTS);
    system = new DistributedSystem({
      prefix,
      replicas: {
        gateway: 2,
        orchestrator: 2,
        'order-service': 1,
        'payment-service': 1,
        'inventory-service': 1,
      },
      env: {
        SAGA_TRANSPORT: 'rabbitmq',
        SAGA_STORE: 'redis',
        AMQP_URL: servers.amqpUrl,
        REDIS_URL: servers.redisUrl,
        SAGA_WAIT_TIMEOUT_MS: '10000',
        INVENTORY_INITIAL_STOCK: String(INITIAL_STOCK),
      },
      echo: process.env.DTA_E2E_LOGS === '1',
    });
    await system.start();
    await system.waitUntilReady(STARTUP_MS);
  }, STARTUP_MS + 150_000);

  afterAll(async () => {
    const table = renderTable(rows);
    writeFileSync(REPORT, `${table}\n`);
    process.stdout.write(`\nFault suite (${profile.name} form), also in ${REPORT}:\n\n${table}\n\n`);
    try {
      await system?.stop();
    } finally {
      await servers?.stop();
    }
  }, 180_000);

  it.each(scenarios.map((scenario) => [scenario.name, scenario] as const))(
    '%s: every saga terminal, nothing lost, no effect off, no healthy booking rolled back',
    async (_name, scenario) => {
      const measured = await measure(scenario);
      rows.push(...measured);
      process.stderr.write(`${renderTable(measured)}\n`);
      const off = measured.flatMap((row) => {
        const wrong = rowOff(row);
        return wrong.length === 0
          ? []
          : [`${row.products}: ${wrong.join(', ')}; e.g. ${row.figures.examples.join(' | ')}`];
      });
      expect(off).toEqual([]);
    },
    Math.max(...scenarios.map((s) => s.faultMs)) + profile.drainMs + STREAM_MAX_MS,
  );
});
