import { SYSTEM_IDS, type SystemId } from './systems';

/**
 * What `npm run bench` runs; every field from an environment variable or the matching `--flag=value`. The
 * servers are found at `AMQP_URL`, `REDIS_URL` and `NATS_URL` (defaults `amqp://guest:guest@127.0.0.1:5672`,
 * `redis://127.0.0.1:6379`, `nats://127.0.0.1:4222`; see bench/infra.ts), which the children are passed.
 */
export interface BenchConfig {
  /** Sagas of the throughput run. `BENCH_N`, `--n`. @default 5000 */
  n: number;
  /** Sagas in flight in the throughput run. `BENCH_C`, `--c`. @default 200 */
  c: number;
  /** Sagas of the latency run, one at a time. `BENCH_LATENCY_N`, `--latency-n`. @default 500 */
  latencyN: number;
  /** Sagas run first and not measured (JIT, connections, queue declarations). `BENCH_WARMUP_N`. @default 500 */
  warmupN: number;
  /**
   * Sagas of each of DTA's two stock runs (each DTA system) at concurrency `c`, through the real atomic stock counters: one
   * product per saga, then one product for all; 0 skips them. `BENCH_STOCK_N`, `--stock-n`. @default 1000
   */
  stockN: number;
  /**
   * Sagas of the memory-flatness run of each DTA system at concurrency `c`; 0 skips it. `BENCH_SOAK_N`,
   * `--soak-n`. @default 0
   */
  soakN: number;
  /**
   * Whether to run the scaling table (DTA on RabbitMQ + Redis, a generated flow of 3 to 30 steps, 2 to 32 tasks
   * per step, outputs of 100 B to 100 KB; see bench/scaling), when `dta` is among the systems.
   * `BENCH_SCALING=0`, `--scaling=0` skips it. @default 1
   */
  scaling: boolean;
  /**
   * Tasks of each scaling row's measured run: its sagas are this over the tasks per saga (a row of 30 x 2 tasks
   * runs 40 sagas). `BENCH_SCALING_TASKS`, `--scaling-tasks`. @default 2400
   */
  scalingTasks: number;
  /**
   * At most this many megabytes of task outputs per scaling row: a row of 100 KB outputs runs fewer tasks than
   * `scalingTasks` (300 at the default), so that the table stays within about 3 minutes.
   * `BENCH_SCALING_MB`, `--scaling-mb`. @default 30
   */
  scalingMb: number;
  /**
   * Tasks in flight in each scaling row: its sagas in flight are this over the tasks per step, at most half its
   * sagas. `BENCH_SCALING_IN_FLIGHT`, `--scaling-in-flight`. @default 200
   */
  scalingInFlight: number;
  /**
   * Measured runs of each scaling row, one after the other in the row's processes; the row reports the run
   * with the least CPU per task, as other load on the machine only adds to it (a row is about a minute, and a
   * slow minute made the output rows' verdict flip). `BENCH_SCALING_RUNS`, `--scaling-runs`. @default 2
   */
  scalingRuns: number;
  /** Prefetch of every consumer, DTA and ceiling alike. `BENCH_PREFETCH`. @default 32 (the library's default) */
  prefetch: number;
  /**
   * Pause after each measured run, so that whatever a run left behind (outbox sweeps, timers) settles before
   * the next run and counts towards the run that caused it. `BENCH_SETTLE_MS`. @default 6000
   */
  settleMs: number;
  /** CPU-profile both orchestrators over an extra throughput run. `BENCH_PROFILE=1`, `--profile`. */
  profile: boolean;
  /**
   * Rounds, each running the ceiling, DTA (RabbitMQ), DTA with two orchestrators, DTA (NATS) then BullMQ flows
   * with fresh processes; each system's best round is reported, as other load on the machine only slows runs
   * down. The scaling table runs once, after the last round. `BENCH_ROUNDS`, `--rounds`. @default 1
   */
  rounds: number;
  /**
   * Which systems to run: `ceiling` (amqplib + ioredis), `dta` (DTA on RabbitMQ), `dta-x2` (DTA on RabbitMQ with
   * two orchestrator replicas, same N and C, reported beside `dta`), `dta-nats` (DTA on NATS JetStream),
   * `bullmq` (BullMQ flows on the same Redis). `BENCH_SYSTEMS=dta,ceiling`. @default all five
   */
  systems: SystemId[];
  /**
   * Report file, written only when the ceiling and at least one other system ran; '' writes none. `BENCH_OUT`.
   * @default BENCHMARKS.md
   */
  out: string;
}

const FLAGS: Record<string, string> = {
  n: 'BENCH_N',
  c: 'BENCH_C',
  'latency-n': 'BENCH_LATENCY_N',
  'warmup-n': 'BENCH_WARMUP_N',
  'soak-n': 'BENCH_SOAK_N',
  'stock-n': 'BENCH_STOCK_N',
  scaling: 'BENCH_SCALING',
  'scaling-tasks': 'BENCH_SCALING_TASKS',
  'scaling-mb': 'BENCH_SCALING_MB',
  'scaling-in-flight': 'BENCH_SCALING_IN_FLIGHT',
  'scaling-runs': 'BENCH_SCALING_RUNS',
  prefetch: 'BENCH_PREFETCH',
  'settle-ms': 'BENCH_SETTLE_MS',
  profile: 'BENCH_PROFILE',
  rounds: 'BENCH_ROUNDS',
  systems: 'BENCH_SYSTEMS',
  out: 'BENCH_OUT',
};

/** `--n=1000 --profile` -> `{ BENCH_N: '1000', BENCH_PROFILE: '1' }`. */
function flagsToEnv(argv: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = match && FLAGS[match[1]];
    if (!match || !name) throw new Error(`unknown argument ${arg}; flags: ${Object.keys(FLAGS).join(', ')}`);
    env[name] = match[2] ?? '1';
  }
  return env;
}

function count(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name}=${raw}: expected an integer >= ${min}`);
  return value;
}

export function benchConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): BenchConfig {
  const all = { ...env, ...flagsToEnv(argv) };
  const systems = (all.BENCH_SYSTEMS || SYSTEM_IDS.join(',')).split(',').map((s) => s.trim());
  if (!systems.every((s): s is SystemId => (SYSTEM_IDS as readonly string[]).includes(s))) {
    throw new Error(`BENCH_SYSTEMS=${all.BENCH_SYSTEMS}: expected a list of ${SYSTEM_IDS.join(', ')}`);
  }
  return {
    n: count(all, 'BENCH_N', 5000, 1),
    c: count(all, 'BENCH_C', 200, 1),
    latencyN: count(all, 'BENCH_LATENCY_N', 500, 1),
    warmupN: count(all, 'BENCH_WARMUP_N', 500, 0),
    soakN: count(all, 'BENCH_SOAK_N', 0, 0),
    stockN: count(all, 'BENCH_STOCK_N', 1000, 0),
    scaling: !['0', 'false'].includes(all.BENCH_SCALING ?? ''),
    scalingTasks: count(all, 'BENCH_SCALING_TASKS', 2400, 1),
    scalingMb: count(all, 'BENCH_SCALING_MB', 30, 1),
    scalingInFlight: count(all, 'BENCH_SCALING_IN_FLIGHT', 200, 1),
    scalingRuns: count(all, 'BENCH_SCALING_RUNS', 2, 1),
    prefetch: count(all, 'BENCH_PREFETCH', 32, 1),
    settleMs: count(all, 'BENCH_SETTLE_MS', 6000, 0),
    profile: ['1', 'true'].includes(all.BENCH_PROFILE ?? ''),
    rounds: count(all, 'BENCH_ROUNDS', 1, 1),
    systems,
    out: all.BENCH_OUT ?? 'BENCHMARKS.md',
  };
}
