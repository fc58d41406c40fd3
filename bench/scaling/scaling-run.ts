import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchConfig } from '../bench.config';
import type { ChildBuild } from '../build';
import { cpuPerSaga, totalCpu, type CpuPerSaga, type Snapshot } from '../accounting';
import { BenchChild } from '../children';
import { deleteSystemResources, serverCpu, storedBytes, type BenchServers } from '../infra';
import { summarizeLoad, type LoadSummary } from '../stats';
import { dtaScalingSystem, recordDeclared, ROLES, type BenchSystem, type Role } from '../systems';
import { formatShape, SAGA_SHAPE_ENV, tasksPerSaga, type SagaShape } from './saga-shape';
import { scalingShapes } from './scaling-rows';

/** What one shape of the generated flow cost, DTA on RabbitMQ + Redis. */
export interface ScalingResult {
  shape: SagaShape;
  /** Warm-up sagas, run first and not measured, but stored like the others (as are every measured run's). */
  warmup: number;
  load: LoadSummary;
  /** CPU ms per task, by process, in the measured run (of `scalingRuns`, the cheapest) and the pause after it. */
  cpuPerTask: CpuPerSaga;
  /** Bytes on the children's connections to each server per task, both directions, in the same window. */
  wirePerTask: { rabbitmq: number; redis: number };
  /** What Redis holds under the run's prefix once every saga (warm-up included) finished, per saga. */
  storedPerSaga: { keys: number; bytes: number };
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/**
 * Sagas, sagas in flight and warm-up sagas of one row: `scalingTasks` tasks (fewer when their outputs would
 * pass `scalingMb`), `scalingInFlight` tasks in flight (at most half the sagas), a fifth of the sagas to warm up.
 */
export function scalingLoad(shape: SagaShape, config: BenchConfig): { n: number; c: number; warmup: number } {
  const tasks = Math.min(config.scalingTasks, (config.scalingMb * 1e6) / Math.max(1, shape.outputBytes));
  const n = Math.max(2, Math.round(tasks / tasksPerSaga(shape)));
  const c = Math.max(1, Math.min(Math.round(config.scalingInFlight / shape.tasksPerStep), Math.floor(n / 2)));
  return { n, c, warmup: Math.max(c, Math.ceil(n / 5)) };
}

/**
 * Runs every shape of the scaling table, each with fresh processes under a prefix of its own; `track` is told
 * each row's system as it starts, so that an interrupted run can still delete what it declared.
 */
export async function runScaling(
  config: BenchConfig,
  servers: BenchServers,
  run: { build: ChildBuild; logDir: string; runPrefix: string; track(system: BenchSystem): void },
): Promise<ScalingResult[]> {
  const results: ScalingResult[] = [];
  for (const [index, shape] of scalingShapes().entries()) {
    const system = dtaScalingSystem(`${run.runPrefix}-scale${index}`);
    run.track(system);
    results.push(await runShape(shape, system, config, servers, run));
  }
  return results;
}

async function runShape(
  shape: SagaShape,
  system: BenchSystem,
  config: BenchConfig,
  servers: BenchServers,
  run: { build: ChildBuild; logDir: string },
): Promise<ScalingResult> {
  const { prefix } = system;
  const name = `DTA scaling ${formatShape(shape)}`;
  const env = {
    BENCH_PREFIX: prefix,
    BENCH_TRANSPORT: system.broker,
    AMQP_URL: servers.amqpUrl,
    REDIS_URL: servers.redisUrl,
    NATS_URL: servers.natsUrl,
    BENCH_PREFETCH: String(config.prefetch),
    [SAGA_SHAPE_ENV]: formatShape(shape),
  };
  const children: BenchChild[] = [];
  try {
    const [orchestrator, worker, driver] = ROLES.map((role: Role) => {
      const child = new BenchChild({
        name: `${name} ${role}`,
        build: run.build,
        script: system.scripts[role],
        env,
        logFile: join(run.logDir, `scaling-${formatShape(shape)}-${role}.log`),
        onDeclared: (declared) => recordDeclared(system, declared),
      });
      children.push(child);
      return child;
    });
    await Promise.all(children.map((child) => child.ready()));
    const { n, c, warmup } = scalingLoad(shape, config);
    const timeoutMs = 60_000 + n * tasksPerSaga(shape) * 20;
    const load = async (label: string, sagas: number): Promise<LoadSummary> => {
      log(`${name}: ${label}: ${sagas} sagas of ${tasksPerSaga(shape)} tasks, ${c} in flight`);
      const summary = summarizeLoad(await driver.load(sagas, c, timeoutMs));
      if (summary.errors > 0) {
        throw new Error(
          `${name} ${label}: ${summary.errors} of ${sagas} sagas failed: ${summary.firstError}`,
        );
      }
      return summary;
    };
    await load('warm-up', warmup);
    // Long enough for the warm-up's task timers (2 s) to fire before the measured run.
    await sleep(Math.min(config.settleMs, 3000));
    const snapshot = async (): Promise<Snapshot> => ({
      at: Date.now(),
      orchestrator: orchestrator.lastSample,
      worker: worker.lastSample,
      driver: driver.lastSample,
      servers: await serverCpu(servers),
    });
    const tasks = n * tasksPerSaga(shape);
    let best: Omit<ScalingResult, 'storedPerSaga'> | undefined;
    for (let runIndex = 1; runIndex <= config.scalingRuns; runIndex++) {
      const before = await snapshot();
      const measured = await load(config.scalingRuns > 1 ? `measured ${runIndex}` : 'measured', n);
      // Long enough for the run's last task timers to fire and be counted.
      await sleep(Math.min(config.settleMs, 4000));
      const after = await snapshot();
      const wire = (server: 'rabbitmq' | 'redis'): number =>
        ROLES.reduce((sum, r) => sum + after[r].io.wireBytes[server] - before[r].io.wireBytes[server], 0) /
        tasks;
      const cpuPerTask = cpuPerSaga(before, after, tasks, system.broker);
      if (!best || totalCpu(cpuPerTask) < totalCpu(best.cpuPerTask)) {
        best = {
          shape,
          warmup,
          load: measured,
          cpuPerTask,
          wirePerTask: { rabbitmq: wire('rabbitmq'), redis: wire('redis') },
        };
      }
    }
    const stored = await storedBytes(servers.redisUrl, `${prefix}:*`);
    const sagas = warmup + n * config.scalingRuns;
    const result: ScalingResult = {
      ...best!,
      storedPerSaga: { keys: stored.keys / sagas, bytes: stored.bytes / sagas },
    };
    log(
      `${name}: ${result.load.sagasPerSec.toFixed(0)} sagas/s, ` +
        `${(result.wirePerTask.rabbitmq + result.wirePerTask.redis).toFixed(0)} bytes per task on the wire, ` +
        `${(result.storedPerSaga.bytes / 1024).toFixed(1)} KB stored per saga`,
    );
    return result;
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await deleteSystemResources(servers, system).catch((error: unknown) =>
      log(`${name}: cleanup failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}
