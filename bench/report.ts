import { basename } from 'node:path';
import type { BenchConfig } from './bench.config';
import type { MachineInfo } from './infra';
import type { ProfileSummary, SelfTime } from './profile-summary';
import { totalCpu, type IoPerSaga } from './accounting';
import { median, type LoadSummary } from './stats';
import { scalingSection, SCALING_TOLERANCE } from './scaling/scaling-report';
import type { ScalingResult } from './scaling/scaling-run';
import type { SystemResult } from './system-run';
import { SYSTEM_LABELS, type Broker } from './systems';

export interface BenchReport {
  date: Date;
  machine: MachineInfo;
  config: BenchConfig;
  results: SystemResult[];
  /** Sagas/s of DTA (RabbitMQ) with one and with two orchestrators, in each round both ran. */
  replicaRounds?: { one: number; two: number }[];
  /** The scaling table's rows (bench/scaling), when it ran. */
  scaling?: ScalingResult[];
  profiles: (ProfileSummary & { system: SystemResult['system']; role: string })[];
  durationMs: number;
}

/**
 * The targets the library holds itself to, DTA against the ceiling; and two orchestrator replicas against one
 * on the same box (no loss of throughput beyond the run-to-run noise).
 */
const TARGETS = { throughput: 0.75, p50AtC1: 1.5, replicas: 0.9 };

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const pct = (share: number): string => `${(share * 100).toFixed(1)} %`;

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function verdict(ok: boolean): string {
  return ok ? 'met' : '**missed**';
}

function io(per: IoPerSaga | undefined, broker: Broker): string {
  if (!per) return 'n/a';
  const redis = Object.entries(per.redisCommands)
    .sort((a, b) => b[1] - a[1])
    .map(([command, count]) => `${command} ${fixed(count)}`)
    .join(', ');
  const total = Object.values(per.redisCommands).reduce((sum, count) => sum + count, 0);
  const publishes =
    broker === 'nats'
      ? `${fixed(per.natsPublishes)} JetStream publishes`
      : broker === 'redis'
        ? 'no broker'
        : `${fixed(per.amqpPublishes)} AMQP publishes`;
  return `${publishes}; ${fixed(total)} Redis commands${redis ? ` (${redis})` : ''}`;
}

/**
 * The systems of a report: the DTA ones (RabbitMQ, then NATS), the ceiling they are compared with, and BullMQ
 * flows, the peer a team would pick instead.
 */
interface Compared {
  dtas: SystemResult[];
  /** DTA on RabbitMQ with two orchestrator replicas: reported beside DTA (RabbitMQ) only. */
  replicas?: SystemResult;
  ceiling?: SystemResult;
  bullmq?: SystemResult;
}

function compared(results: readonly SystemResult[]): Compared {
  return {
    dtas: results.filter((r) => r.system === 'DTA' || r.system === 'DTA-NATS'),
    replicas: results.find((r) => r.system === 'DTA-x2'),
    ceiling: results.find((r) => r.system === 'ceiling'),
    bullmq: results.find((r) => r.system === 'BullMQ'),
  };
}

const label = (r: SystemResult): string => SYSTEM_LABELS[r.system];
/** `RabbitMQ` or `NATS`: what tells the DTA systems apart in a cell. */
const brokerName = (r: SystemResult): string => (r.broker === 'nats' ? 'NATS' : 'RabbitMQ');

/**
 * Headings: each DTA system, the ceiling, BullMQ (when it ran), then each DTA system over the ceiling and
 * over BullMQ.
 */
function header(first: string, { dtas, bullmq }: Compared, ...extra: string[]): string[] {
  return [
    first,
    ...dtas.map(label),
    'ceiling',
    ...(bullmq ? [label(bullmq)] : []),
    ...dtas.map((d) => `${label(d)} / ceiling`),
    ...(bullmq ? dtas.map((d) => `${label(d)} / BullMQ`) : []),
    ...extra,
  ];
}

/** The cells of `header` for a number: the values, then the ratios over the ceiling and over BullMQ. */
function cells(
  { dtas, ceiling, bullmq }: Compared,
  value: (r?: SystemResult) => number,
  digits: number,
): string[] {
  const c = value(ceiling);
  const b = bullmq ? value(bullmq) : Number.NaN;
  return [
    ...dtas.map((d) => fixed(value(d), digits)),
    fixed(c, digits),
    ...(bullmq ? [fixed(b, digits)] : []),
    ...dtas.map((d) => fixed(value(d) / c, 2)),
    ...(bullmq ? dtas.map((d) => fixed(value(d) / b, 2)) : []),
  ];
}

function resultsTable(systems: Compared): string {
  const { dtas, ceiling, bullmq } = systems;
  const row = (label: string, value: (r: SystemResult) => number, digits: number, target = ''): string[] => {
    const c = ceiling ? value(ceiling) : Number.NaN;
    const of = (r?: SystemResult): number => (r ? value(r) : Number.NaN);
    const ratios = dtas.map((d) => value(d) / c);
    const min = /^>= (.+)/.exec(target)?.[1];
    const max = /^<= (.+)/.exec(target)?.[1];
    const verdicts = ratios.map((ratio, i) => {
      const met = min ? ratio >= Number(min) : max ? ratio <= Number(max) : undefined;
      if (met === undefined || !Number.isFinite(ratio)) return undefined;
      return dtas.length > 1 ? `${brokerName(dtas[i])} ${verdict(met)}` : verdict(met);
    });
    const found = verdicts.filter((v): v is string => v !== undefined);
    return [label, ...cells(systems, of, digits), found.length === 0 ? '' : `${target}: ${found.join(', ')}`];
  };
  const rss = (r?: SystemResult): string =>
    r ? `${mb(r.rss.start)} / ${mb(r.rss.peak)} / ${mb(r.rss.end)}` : 'n/a';
  const peak = (d: SystemResult, over?: SystemResult): string =>
    `${fixed(d.rss.peak / (over?.rss.peak ?? NaN), 2)} (peak)`;
  const c = (dtas[0] ?? ceiling ?? bullmq)?.throughput.c;
  return table(header('', systems, 'target'), [
    row(`throughput at C=${c} (sagas/s)`, (r) => r.throughput.sagasPerSec, 0, `>= ${TARGETS.throughput}`),
    row(`p50 latency at C=${c} (ms)`, (r) => r.throughput.p50Ms, 0),
    row(`p99 latency at C=${c} (ms)`, (r) => r.throughput.p99Ms, 0),
    row('throughput at C=1 (sagas/s)', (r) => r.latency.sagasPerSec, 0),
    row('p50 latency at C=1 (ms)', (r) => r.latency.p50Ms, 2, `<= ${TARGETS.p50AtC1}`),
    row('p99 latency at C=1 (ms)', (r) => r.latency.p99Ms, 2),
    row('orchestrator CPU per saga (ms)', (r) => r.cpu.orchestrator, 2),
    [
      'orchestrator RSS start / peak / end (MB)',
      ...dtas.map(rss),
      rss(ceiling),
      ...(bullmq ? [rss(bullmq)] : []),
      ...dtas.map((d) => peak(d, ceiling)),
      ...(bullmq ? dtas.map((d) => peak(d, bullmq)) : []),
      '',
    ],
  ]);
}

function cpuTable(cpus: number, systems: Compared): string {
  const { dtas, ceiling, bullmq } = systems;
  const total = (r?: SystemResult): number =>
    r
      ? r.cpu.orchestrator +
        r.cpu.worker +
        r.cpu.driver +
        r.cpu.redis +
        (r.cpu.rabbitmq ?? 0) +
        (r.cpu.nats ?? 0)
      : Number.NaN;
  const row = (label: string, value: (r?: SystemResult) => number, digits = 2): string[] => [
    label,
    ...cells(systems, value, digits),
  ];
  const of = (key: keyof SystemResult['cpu']) => (r?: SystemResult) => r?.cpu[key] ?? Number.NaN;
  return table(header('CPU ms per saga', systems), [
    row('orchestrator', of('orchestrator')),
    row('worker', of('worker')),
    row('driver', of('driver')),
    row('Redis', of('redis')),
    row('RabbitMQ', of('rabbitmq')),
    row('NATS server', of('nats')),
    row('**total**', total),
    row(`sagas/s the ${cpus} CPUs allow (${cpus} x 1000 / total)`, (r) => (cpus * 1000) / total(r), 0),
    [
      'other programs meanwhile (CPUs busy)',
      ...[...dtas, ceiling, ...(bullmq ? [bullmq] : [])].map((r) => fixed(r?.cpu.otherCpus ?? NaN, 2)),
      ...dtas.map(() => ''),
      ...(bullmq ? dtas.map(() => '') : []),
    ],
  ]);
}

function ioTable({ dtas, ceiling, bullmq }: Compared): string {
  const systems = [...dtas, ...(ceiling ? [ceiling] : []), ...(bullmq ? [bullmq] : [])];
  return table(
    ['', ...systems.map(label)],
    (['orchestrator', 'worker', 'driver'] as const).map((role) => [
      role,
      ...systems.map((r) => io(r.io[role], r.broker)),
    ]),
  );
}

/** A warning when other programs took a noticeable share of the CPUs during a throughput run. */
function noiseWarning(results: SystemResult[]): string {
  const noisy = results.filter((r) => (r.cpu.otherCpus ?? 0) > 0.2);
  if (noisy.length === 0) return '';
  const which = noisy.map((r) => `${label(r)} (${fixed(r.cpu.otherCpus ?? NaN, 2)} CPUs)`).join(', ');
  return (
    `\n> **Other programs loaded the machine** during the throughput run of ${which}: sagas/s and ` +
    'latencies understate it; the counts per saga are exact, CPU per saga is less affected.\n'
  );
}

function replicasSection(
  { dtas, replicas }: Compared,
  rounds: readonly { one: number; two: number }[],
): string {
  const one = dtas.find((d) => d.system === 'DTA');
  if (!replicas || !one) {
    return 'Not run this time (`dta` and `dta-x2` in `BENCH_SYSTEMS` run it).';
  }
  const cpu = (r: SystemResult): number => totalCpu(r.cpu);
  const row = (name: string, value: (r: SystemResult) => number, digits: number): string[] => [
    name,
    fixed(value(one), digits),
    fixed(value(replicas), digits),
    fixed(value(replicas) / value(one), 2),
    '',
  ];
  const { c } = one.throughput;
  // Each round's two runs were next to each other; the best of each, from different rounds, need not be.
  const paired = rounds.map((r) => r.two / r.one);
  const ratio = median(paired);
  const perRound = rounds
    .map((r, i) => `round ${i + 1}: ${fixed(r.two, 0)} / ${fixed(r.one, 0)} = ${fixed(paired[i], 2)}`)
    .join('; ');
  return [
    `The same N = ${one.throughput.n} sagas at C = ${c}, DTA on RabbitMQ + Redis with two orchestrator ` +
      'processes (one worker, one driver) on this machine, beside the one-orchestrator run above (the best ' +
      'round of each):',
    '',
    table(
      ['', label(one), label(replicas), '2 / 1', 'target'],
      [
        [
          `throughput at C=${c}, 2 / 1 within each round (median of ${rounds.length})`,
          '',
          '',
          fixed(ratio, 2),
          Number.isFinite(ratio) ? `>= ${TARGETS.replicas}: ${verdict(ratio >= TARGETS.replicas)}` : '',
        ],
        row(`throughput at C=${c} (sagas/s)`, (r) => r.throughput.sagasPerSec, 0),
        row(`p50 latency at C=${c} (ms)`, (r) => r.throughput.p50Ms, 0),
        row(`p99 latency at C=${c} (ms)`, (r) => r.throughput.p99Ms, 0),
        row('p50 latency at C=1 (ms)', (r) => r.latency.p50Ms, 2),
        row('orchestrators CPU per saga (ms)', (r) => r.cpu.orchestrator, 2),
        row('CPU per saga, all processes and servers (ms)', cpu, 2),
        row('Redis commands per saga, orchestrators', (r) => sumOf(r.io.orchestrator.redisCommands), 1),
        [
          'other programs meanwhile (CPUs busy)',
          fixed(one.cpu.otherCpus ?? Number.NaN, 2),
          fixed(replicas.cpu.otherCpus ?? Number.NaN, 2),
          '',
          '',
        ],
      ],
    ),
    '',
    `Sagas/s with two orchestrators / with one, in each round: ${perRound}.`,
  ].join('\n');
}

const sumOf = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

function soakSection({ dtas }: Compared, config: BenchConfig): string {
  const soaked = dtas.filter((d) => d.soak);
  if (soaked.length === 0) {
    return 'Not run this time (`BENCH_SOAK_N=0`). Run e.g. `BENCH_SOAK_N=50000 npm run bench`.';
  }
  return soaked
    .map((d) => {
      const { memory, load } = d.soak ?? ({} as NonNullable<SystemResult['soak']>);
      return [
        `${label(d)} orchestrator over ${load.n} sagas at C=${config.c} (${fixed(load.n / load.sagasPerSec, 0)} s, ` +
          `${fixed(load.sagasPerSec, 0)} sagas/s, p99 ${fixed(load.p99Ms)} ms), ${memory.samples} samples:`,
        '',
        table(
          ['', 'first quarter (median)', 'last quarter (median)', 'change'],
          [
            ['RSS (MB)', mb(memory.firstQuarterRss), mb(memory.lastQuarterRss), pct(memory.rssGrowth)],
            [
              'heap used (MB)',
              mb(memory.firstQuarterHeap),
              mb(memory.lastQuarterHeap),
              pct(memory.lastQuarterHeap / memory.firstQuarterHeap - 1),
            ],
          ],
        ),
        '',
        memory.flat
          ? '**Flat**: the last quarter is within 10 % (or 10 MB) of the first.'
          : '**Not flat**: RSS grew by more than 10 % (and 10 MB) from the first quarter to the last.',
      ].join('\n');
    })
    .join('\n\n');
}

function stockSection({ dtas }: Compared, config: BenchConfig): string {
  const stocked = dtas.filter((d) => d.stock);
  if (stocked.length === 0) return 'Not run this time (`BENCH_STOCK_N` > 0 runs it).';
  const row = (label: string, load: LoadSummary): string[] => [
    label,
    fixed(load.sagasPerSec, 0),
    fixed(load.p50Ms, 0),
    fixed(load.p99Ms, 0),
    String(load.errors),
  ];
  return [
    `Each DTA system, ${config.stockN} sagas at C = ${config.c} each, reserve-stock through the store's atomic ` +
      'counters (`SagaStore.adjustCounters`, one Lua script per reservation):',
    '',
    table(
      ['products', 'sagas/s', 'p50 (ms)', 'p99 (ms)', 'failed'],
      stocked.flatMap((d) => {
        const stock = d.stock ?? ({} as NonNullable<SystemResult['stock']>);
        return [
          row(`${label(d)}: one product per saga`, stock.distinct),
          row(`${label(d)}: one product for all`, stock.one),
          [
            `${label(d)}: one product / distinct`,
            fixed(stock.one.sagasPerSec / stock.distinct.sagasPerSec, 2),
            '',
            '',
            '',
          ],
        ];
      }),
    ),
  ].join('\n');
}

function profileSection(profiles: BenchReport['profiles']): string {
  if (profiles.length === 0)
    return 'Not profiled this time (`BENCH_PROFILE=1` or `--profile` adds a profiled run).';
  const heading = (p: BenchReport['profiles'][number]): string =>
    `### ${SYSTEM_LABELS[p.system]} ${p.role}: ${fixed(p.busyMs / 1000)} s busy, ${fixed(p.idleMs / 1000)} s idle (\`${basename(p.file)}\`)`;
  const selfTimes = (title: string, times: SelfTime[], limit: number): string =>
    table(
      [title, 'ms', 'share of busy'],
      times.slice(0, limit).map((t) => [`\`${t.name}\``, fixed(t.selfMs, 0), pct(t.share)]),
    );
  // The orchestrators in full; the workers and drivers by package and file only.
  return profiles
    .map((p) =>
      p.role === 'orchestrator'
        ? [
            heading(p),
            selfTimes('self time by function', p.functions, 15),
            selfTimes('by package / file', p.areas, 15),
          ]
        : [heading(p), selfTimes('self time by package / file', p.areas, 8)],
    )
    .map((parts) => parts.join('\n\n'))
    .join('\n\n');
}

/** BENCHMARKS.md, also printed by `npm run bench`. */
export function renderReport(report: BenchReport): string {
  const { machine: m, config, results, date } = report;
  const systems = compared(results);
  return `# Benchmarks

Generated by \`npm run bench\` on ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC; the run took ${fixed(report.durationMs / 60_000)} min.
Do not edit by hand: run the bench again.

${table(
  ['measured', ''],
  [
    ['@dta/saga', m.library],
    ['CPUs (nproc)', `${m.cpus} (${m.cpuModel})`],
    ['memory', `${fixed(m.memoryGb)} GB`],
    ['Node.js', m.node],
    ['RabbitMQ', `${m.rabbitmq} (durable classic queues, persistent messages, publisher confirms)`],
    [
      'NATS',
      `${m.nats} (${m.natsJetStream}); DTA's streams: file storage, work-queue retention for queues and ` +
        'results, one replica; publishes awaited until JetStream stored them; messages acked after the ' +
        "handler's state is stored",
    ],
    ['Redis', `${m.redis} (${m.redisPersistence})`],
    [
      'BullMQ',
      `${m.bullmq} (no broker: its jobs, queues and events are keys of the Redis above, so its durability is ` +
        `Redis's AOF; every Worker at concurrency ${config.prefetch}, the prefetch of the other systems)`,
    ],
    [
      'runs',
      `N = ${config.n} sagas at C = ${config.c} in flight; ${config.latencyN} at C = 1; ` +
        `${config.warmupN} warm-up sagas first; prefetch ${config.prefetch} on every consumer; ` +
        `best of ${config.rounds} round(s)`,
    ],
  ],
)}

## Results

${resultsTable(systems)}
${noiseWarning(results)}
Work per saga in the throughput run (counted in each process; DTA's timers that fired in the pause after
the run included):

${cpuTable(m.cpus, systems)}

${ioTable(systems)}

## Two orchestrator replicas

${replicasSection(systems, report.replicaRounds ?? [])}

## Scaling

${scalingSection(report.scaling, config)}

## One hot product

${stockSection(systems, config)}

## Memory over a long run

${soakSection(systems, config)}

## CPU profiles (an extra throughput run)

${profileSection(report.profiles)}

## How to read this

- **The flow**: booking-shaped, 3 steps: create-order; charge-payment and reserve-stock in parallel;
  confirm-order. Task handlers are no-ops in a separate worker process, so the numbers are the cost of the
  orchestration itself. **DTA** is the library (\`SagaModule\` with a \`@Saga\` class in the orchestrator process,
  \`@Task\` handlers behind the task worker and barrier in the worker, \`SagaClient.run\` in the driver, result
  pushed back over the bus). **DTA (RabbitMQ)** and **DTA (NATS)** are the same three processes, flow and
  Redis store, with \`transport: 'rabbitmq'\` or \`transport: 'nats'\` (NATS JetStream: every send awaits
  JetStream's publish acknowledgement, the counterpart of publisher confirms; durable pull consumers; a message
  is acknowledged after its handler stored the state). **Ceiling** is the least a hand-written amqplib + ioredis
  orchestrator must do for the same flow: persistent, confirmed messages (start, tasks, replies, result) and
  one Redis write per start and per reply, with no engine, timers, outbox, events, barrier or input validation.
  **BullMQ flows** is the same flow as a team using BullMQ would write it, on the same Redis and with no
  broker: the driver adds a \`start\` job to an orchestration queue; the orchestrator's Worker on that queue
  adds each step with a \`FlowProducer\` flow, a join parent job on the orchestration queue whose children are
  the step's tasks (create-order; charge-payment and reserve-stock; confirm-order), each on its task's queue,
  so BullMQ runs the parent once every child completed; the parent after create-order reads its output with
  \`getChildrenValues\`, and the driver waits for the last parent's \`completed\` event through one
  \`QueueEvents\`. The worker process runs one Worker per task queue; jobs are removed 24 h after they
  finish and retried up to 3 times. BullMQ itself has no compensation: a child that fails for good leaves its
  parent waiting unless the flow says otherwise.
- **Ratios** are DTA / ceiling: for throughput higher is better (target >= ${TARGETS.throughput}); for
  latency lower is better (target for p50 at C=1 <= ${TARGETS.p50AtC1}). **DTA / BullMQ** compares each DTA
  system with the peer a team would otherwise pick (no target): above 1 DTA is faster for throughput, slower
  for latency and dearer for CPU. BullMQ has no broker, so its whole cost is in its processes and Redis. The ceiling runs on RabbitMQ: the
  NATS ratios measure DTA on NATS against that same yardstick (is DTA on NATS cheaper or faster than on
  RabbitMQ, relative to one fixed baseline), not against a hand-written NATS ceiling. The brokers' durability
  differs in detail: JetStream's file store acknowledges a message once written, and by default flushes
  to disk (fsync) every 2 minutes (\`sync_interval\`). The absolute numbers hold for this machine only: the
  servers and the Node.js processes share its ${m.cpus} CPUs (the systems run one after another). The ratios
  carry.
- **Throughput** is a closed loop: C sagas in flight, each replaced as soon as its result arrives; sagas/s is
  N over the whole run. **Latency** is from the driver's call to the result in the driver, input validation
  and publisher confirms (JetStream publish acknowledgements) included. C = 1 shows the cost of one saga's
  round trips.
- **CPU per saga** is the user + system CPU time a process used in the throughput run (and the pause after
  it) divided by N; Redis's from \`INFO cpu\`, RabbitMQ's and the NATS server's from /proc (the servers are
  shared with anything else using them meanwhile). Each system counts the broker it uses; the other broker's
  time counts as other programs'. It moves less than sagas/s when other programs load the machine (still about
  ±10 % from run to run on a shared VM), so it is the steadier comparison of the orchestrators' own cost. When
  the total nears what the CPUs allow, the machine, not the design, caps the throughput. With several rounds,
  each row comes from the round with the best throughput (latency rows: the best p50 at C=1); every other
  round runs the systems in reverse order.
- **Two orchestrator replicas** (\`dta-x2\`): the DTA (RabbitMQ) processes with a second orchestrator process
  on the same flow, queues and store (each with an instance id of its own), at the same N and C, run right
  after the one-orchestrator system (right before it in every other round); one worker, one driver. On a
  machine of ${m.cpus} CPUs a second replica brings no CPU of its own: the row shows whether replicas cost throughput (the two compete for the same
  queues; when both apply replies of one saga at once, one loses the saga's compare-and-set, reads it again
  and re-decides).
  Target: 2 / 1 >= ${TARGETS.replicas}, the run-to-run noise, for the throughput of the two runs of one round
  (the median over the rounds; with an even count the lower middle one): the two run next to each other,
  where the best round of each may come from different rounds, and the VM's speed drifts between rounds by
  more than the difference sought. Every other round runs the systems in reverse order, so neither run of a
  pair is always the later one. Orchestrators' CPU adds up both replicas; RSS
  is not shown (each replica has its own).
- **Scaling**: DTA (RabbitMQ) alone, after the other systems, on a generated flow (bench/scaling): a contract
  of tasks \`t0\`..\`tK\` (timeout 2 s, no lifecycle events: nobody subscribes, and they cost per saga and
  step, not per task), a \`@Saga\` class whose \`@Step\` methods give each task \`{ i }\`, its number, and
  read no earlier output, and no-op \`@Task\` handlers returning a string of the row's output size (no-op
  \`@Compensate\` beside each). Rows vary one dimension at a time from the base row, 3 steps x 2 tasks with
  outputs of 100 B: steps 3 / 10 / 30, parallel tasks per step 2 / 8 / 32, output 100 B / 10 KB / 100 KB. Each
  row runs in processes of its own: \`BENCH_SCALING_TASKS\` tasks (${config.scalingTasks}; fewer when their
  outputs would pass \`BENCH_SCALING_MB\`, ${config.scalingMb} MB) as whole sagas, about
  \`BENCH_SCALING_IN_FLIGHT\` (${config.scalingInFlight}) tasks in flight, so C = that over the tasks per step
  (at most half the sagas), after a warm-up of a fifth as many sagas, then \`BENCH_SCALING_RUNS\`
  (${config.scalingRuns}) measured runs one after the other; the row is the run with the least CPU per task
  (other load only adds to it, and the output rows' verdict compares rows run minutes apart). **CPU ms per
  task** is the main table's CPU (the three processes, Redis, RabbitMQ) over the run and the pause after it,
  divided by the run's tasks.
  **Bytes per task** are what the three processes wrote and read on their TCP connections to RabbitMQ and to
  Redis (socket counters: framing, acks and confirms included; a message published once and delivered once
  counts twice), over the tasks. **Redis KB per saga** is \`MEMORY USAGE\` summed over the row's keys once
  every saga finished (sagas stay stored 24 h, so it is what a stored saga costs, its share of the index sets
  included), over the sagas stored, warm-up and every measured run included. Both are counted for this run's connections and keys
  only, where \`INFO stats\` and \`used_memory\` would include whatever else uses the shared servers.
  **Flat** in the steps and tasks rows: CPU and bytes per task at most ${SCALING_TOLERANCE * 100} % above the
  base row's: the cost of a saga grows linearly with its size. Costs fixed per saga (start, result, the
  replies of a parallel step decided together) spread over more tasks in the larger rows and pull them below
  the base row ("cheaper per task"). Redis KB per saga grows with the tasks per saga as it should (each task's
  input and output, and its record, are stored); what a stored task costs is KB per saga over tasks per saga.
  A cost that grew with the square of the saga's size (a task message carrying every earlier output, a commit
  rewriting the whole saga) would show as bytes per task growing with the steps. In the
  output rows bytes per task grow with the output as they must; what must not grow is how often each output
  byte is carried: the cost per extra output byte over the base row, (row - base) / (output - 100 B), in CPU,
  wire bytes and stored bytes. Flat there means the 100 KB row's CPU and wire bytes per extra output byte at
  most ${SCALING_TOLERANCE * 100} % above the 10 KB row's: each output is carried (sent, parsed, stored) a
  fixed number of times, whatever its size. The wire number says how
  many (the worker's reply, its barrier record, the store write, the result to the caller: a few, when a task
  receives only what its mapper gave it); stored bytes per extra output byte is how many copies of each output
  the store keeps: the saga's state holds each output once, and the worker's barrier record keeps its own
  copy to answer a redelivered task (the participant's record; in this bench it shares the one Redis).
- **One hot product**: each DTA system alone, after its latency run. The same flow, but reserve-stock keeps
  real stock with the saga store's atomic counters: first every saga books a product of its own, then every
  saga books the same product. A store whose stock is one compare-and-set document per product serialises the
  second run behind lost races; counters should run both at about the same rate.
- **RSS** is the orchestrator process's resident memory, sampled every 250 ms: after bootstrap, highest
  through warm-up, throughput and latency runs, and after them. Flatness needs the long run (\`BENCH_SOAK_N\`).
- **Work per saga** counts the publishes (AMQP, or JetStream on NATS: each stored and acknowledged; acks
  and pull requests not counted) and Redis commands each process sent (a ceiling MULTI counts 4 commands in
  one round trip); BullMQ's Lua scripts (\`evalsha\`) by script name, its blocking reads (\`bzpopmin\`,
  QueueEvents' \`xread\`) included. DTA's task timeout timers fire 2-5 s after each task; the pause after the throughput run
  lets them fire, so their cost is counted, though part of it falls outside the timed run.
- **Profiles** (\`BENCH_PROFILE=1\`) sample each process over an extra throughput run; the files stay in the
  run's folder (printed at the end) for Chrome DevTools. Self time is main-thread time while not idle: on a
  saturated machine a process also waits for a CPU after its system calls, and that wait lands on the
  socket-write frames (\`writeBuffer\`, \`writeUtf8String\`). Read those as the cost of the number of
  writes (publishes, acks, Redis commands), not as slow writes.
- Redis runs with the persistence in the table above (the test servers': AOF \`everysec\`); every system
  pays the same per write. Knobs: \`BENCH_SYSTEMS\` (\`ceiling,dta,dta-x2,dta-nats,bullmq\`), \`BENCH_N\`,
  \`BENCH_C\`, \`BENCH_LATENCY_N\`, \`BENCH_SOAK_N\`, \`BENCH_STOCK_N\`, \`BENCH_ROUNDS\`, \`BENCH_PREFETCH\`,
  \`BENCH_PROFILE=1\`, \`BENCH_SCALING=0\` (skips the scaling table), \`BENCH_SCALING_TASKS\`,
  \`BENCH_SCALING_MB\`, \`BENCH_SCALING_IN_FLIGHT\`, \`NATS_URL\` (see bench/bench.config.ts).
`;
}
