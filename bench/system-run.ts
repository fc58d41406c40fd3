import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type { BenchConfig } from './bench.config';
import type { ChildBuild } from './build';
import {
  combinedSample,
  cpuPerSaga,
  ioPerSaga,
  type CpuPerSaga,
  type IoPerSaga,
  type Snapshot,
} from './accounting';
import { BenchChild } from './children';
import { serverCpu, type BenchServers } from './infra';
import { summarizeFlatness, summarizeLoad, type FlatnessSummary, type LoadSummary } from './stats';
import type { ProductMix } from './ipc';
import { recordDeclared, ROLES, type BenchSystem, type Broker, type Role } from './systems';

export interface SystemResult {
  system: BenchSystem['name'];
  broker: Broker;
  throughput: LoadSummary;
  latency: LoadSummary;
  /** Orchestrator RSS in bytes: after bootstrap, highest, and after the latency run. */
  rss: { start: number; peak: number; end: number };
  cpu: CpuPerSaga;
  io: { orchestrator: IoPerSaga; worker: IoPerSaga; driver: IoPerSaga };
  soak?: { load: LoadSummary; memory: FlatnessSummary };
  /** A DTA system's stock runs at C = `c`: one product per saga, and one product for every saga. */
  stock?: { distinct: LoadSummary; one: LoadSummary };
  /** `.cpuprofile` files of the three processes over an extra throughput run. */
  profile?: { files: Record<Role, string>; load: LoadSummary };
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);

/** Generous: a run that takes longer than this has lost sagas. */
function loadTimeoutMs(n: number): number {
  return 60_000 + n * 50;
}

/**
 * Runs one system: starts its orchestrator (or orchestrator replicas), worker and driver, warms up, measures throughput at `c` and
 * latency at 1, then optionally profiles and soaks, and stops the three processes.
 */
export async function runSystem(
  system: BenchSystem,
  config: BenchConfig,
  servers: BenchServers,
  run: { build: ChildBuild; logDir: string; round: number; extras: boolean },
): Promise<SystemResult> {
  const env = {
    BENCH_PREFIX: system.prefix,
    BENCH_TRANSPORT: system.broker,
    AMQP_URL: servers.amqpUrl,
    REDIS_URL: servers.redisUrl,
    NATS_URL: servers.natsUrl,
    BENCH_PREFETCH: String(config.prefetch),
  };
  const children: BenchChild[] = [];
  // Replicas are numbered from 1 (`BENCH_REPLICA`); a lone orchestrator, the worker and the driver are 0.
  const start = (role: Role, replica = 0): BenchChild => {
    const suffix = replica > 0 ? `-${replica}` : '';
    const child = new BenchChild({
      name: `${system.name} ${role}${suffix}`,
      build: run.build,
      script: system.scripts[role],
      env: replica > 0 ? { ...env, BENCH_REPLICA: String(replica) } : env,
      logFile: join(run.logDir, `${system.name}-${role}${suffix}-${run.round}.log`),
      onDeclared: (declared) => recordDeclared(system, declared),
    });
    children.push(child);
    return child;
  };
  try {
    const replicas = system.orchestrators > 1 ? system.orchestrators : 0;
    const orchestrators =
      replicas > 0
        ? Array.from({ length: replicas }, (_, k) => start('orchestrator', k + 1))
        : [start('orchestrator')];
    // The first replica's memory is the one reported; CPU and I/O add up over all of them.
    const [orchestrator] = orchestrators;
    const worker = start('worker');
    const driver = start('driver');
    await Promise.all(children.map((child) => child.ready()));
    const startSample = orchestrator.samples.length - 1;
    const name = config.rounds > 1 ? `${system.name} (round ${run.round})` : system.name;
    const measure = async (
      label: string,
      n: number,
      c: number,
      products: ProductMix = 'spread',
    ): Promise<LoadSummary> => {
      log(`${name}: ${label}: ${n} sagas, ${c} in flight`);
      const summary = summarizeLoad(await driver.load(n, c, loadTimeoutMs(n), products));
      if (summary.errors > 0) {
        throw new Error(`${name} ${label}: ${summary.errors} of ${n} sagas failed: ${summary.firstError}`);
      }
      log(
        `${name}: ${label}: ${summary.sagasPerSec.toFixed(0)} sagas/s, ` +
          `p50 ${summary.p50Ms.toFixed(1)} ms, p99 ${summary.p99Ms.toFixed(1)} ms`,
      );
      return summary;
    };

    if (config.warmupN > 0) await measure('warm-up', config.warmupN, config.c);
    await sleep(config.settleMs);
    const snapshot = async (): Promise<Snapshot> => ({
      at: Date.now(),
      orchestrator: combinedSample(orchestrators.map((o) => o.lastSample)),
      worker: worker.lastSample,
      driver: driver.lastSample,
      servers: await serverCpu(servers),
    });
    const before = await snapshot();
    const throughput = await measure('throughput', config.n, config.c);
    await sleep(config.settleMs);
    const after = await snapshot();
    const cpu = cpuPerSaga(before, after, config.n, system.broker);
    if (cpu.otherCpus !== undefined)
      log(`${name}: other programs used ${cpu.otherCpus.toFixed(2)} CPUs meanwhile`);
    const io = {
      orchestrator: ioPerSaga(before.orchestrator, after.orchestrator, config.n),
      worker: ioPerSaga(before.worker, after.worker, config.n),
      driver: ioPerSaga(before.driver, after.driver, config.n),
    };
    const latency = await measure('latency', config.latencyN, 1);
    await sleep(Math.min(config.settleMs, 1000));
    const measured = orchestrator.samples.slice(startSample);
    const rss = {
      start: measured[0].rss,
      peak: Math.max(...measured.map((s) => s.rss)),
      end: orchestrator.lastSample.rss,
    };
    const result: SystemResult = {
      system: system.name,
      broker: system.broker,
      throughput,
      latency,
      rss,
      cpu,
      io,
    };

    const single = system.kind === 'dta' && system.orchestrators === 1;
    if (config.stockN > 0 && single) {
      // Each after a pause, so that the timers of the run before fire outside it.
      await sleep(config.settleMs);
      const distinct = await measure('stock, one product per saga', config.stockN, config.c, 'distinct');
      await sleep(config.settleMs);
      const one = await measure('stock, one product for all', config.stockN, config.c, 'one');
      result.stock = { distinct, one };
    }

    if (config.profile && run.extras && system.orchestrators === 1) {
      const profiled = { orchestrator, worker, driver };
      const files = {} as Record<Role, string>;
      for (const role of ROLES) files[role] = join(run.logDir, `${system.name}-${role}.cpuprofile`);
      for (const role of ROLES) profiled[role].profileStart();
      const load = await measure('profiled throughput', config.n, config.c);
      await Promise.all(ROLES.map((role) => profiled[role].profileStop(files[role])));
      result.profile = { files, load };
    }
    if (config.soakN > 0 && run.extras && single) {
      const from = orchestrator.samples.length;
      const load = await measure('soak', config.soakN, config.c);
      result.soak = { load, memory: summarizeFlatness(orchestrator.samples.slice(from)) };
      const { firstQuarterRss, lastQuarterRss, flat } = result.soak.memory;
      log(
        `${name}: soak: RSS ${mb(firstQuarterRss)} -> ${mb(lastQuarterRss)} MB, ${flat ? 'flat' : 'NOT flat'}`,
      );
    }
    return result;
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}

/**
 * Merges the rounds of one system, best run first (other processes on the machine only ever slow a run down):
 * throughput, work per saga and RSS from the round with the highest throughput, latency from the round with
 * the lowest p50 at C=1, profile and soak from the round that ran them.
 */
export function bestRound(rounds: readonly SystemResult[]): SystemResult {
  const fastest = rounds.reduce((a, b) => (b.throughput.sagasPerSec > a.throughput.sagasPerSec ? b : a));
  const quickest = rounds.reduce((a, b) => (b.latency.p50Ms < a.latency.p50Ms ? b : a));
  const soak = rounds.find((r) => r.soak)?.soak;
  const profile = rounds.find((r) => r.profile)?.profile;
  return {
    ...fastest,
    latency: quickest.latency,
    ...(soak ? { soak } : {}),
    ...(profile ? { profile } : {}),
  };
}

/** The throughputs of systems `one` and `two` in each round both ran (sagas/s), in round order. */
export function pairedThroughputs(
  rounds: ReadonlyMap<BenchSystem, readonly SystemResult[]>,
  one: BenchSystem['name'],
  two: BenchSystem['name'],
): { one: number; two: number }[] {
  const of = (name: BenchSystem['name']): readonly SystemResult[] =>
    [...rounds].find(([system]) => system.name === name)?.[1] ?? [];
  const [first, second] = [of(one), of(two)];
  return first
    .slice(0, second.length)
    .map((r, i) => ({ one: r.throughput.sagasPerSec, two: second[i].throughput.sagasPerSec }));
}
