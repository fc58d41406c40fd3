import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { benchConfig } from './bench.config';
import { buildChildren } from './build';
import { killAllChildren, ROOT } from './children';
import { acquireServers, deleteSystemResources, describeMachine, type BenchServers } from './infra';
import { summarizeProfile } from './profile-summary';
import { renderReport } from './report';
import { runScaling, type ScalingResult } from './scaling/scaling-run';
import { bestRound, pairedThroughputs, runSystem, type SystemResult } from './system-run';
import { benchSystem, SYSTEM_IDS, type BenchSystem } from './systems';

/**
 * `npm run bench`: DTA (SagaModule on RabbitMQ + Redis, and on NATS JetStream + Redis) against a hand-written
 * amqplib + ioredis ceiling and against BullMQ flows (the peer, on the same Redis) running the same
 * booking-shaped flow, each as orchestrator, worker and driver processes; then DTA alone on generated flows of
 * growing size (the scaling table). Prints the tables and writes BENCHMARKS.md. Configuration: bench/bench.config.ts.
 */
async function main(): Promise<void> {
  const config = benchConfig(process.env, process.argv.slice(2));
  const runPrefix = `bench-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const logDir = join(tmpdir(), 'dta-bench', runPrefix);
  mkdirSync(logDir, { recursive: true });
  const build = buildChildren(ROOT, join(logDir, 'build'));
  const systems: BenchSystem[] = [];
  // The scaling table's rows, each a system of its own: deleted again on the way out if a run was cut short.
  const scalingSystems: BenchSystem[] = [];
  let servers: BenchServers | undefined;

  let finishing: Promise<void> | undefined;
  const finish = (): Promise<void> =>
    (finishing ??= (async () => {
      killAllChildren();
      for (const system of [...systems, ...scalingSystems]) {
        if (servers) await deleteSystemResources(servers, system).catch((e: unknown) => warn('cleanup', e));
      }
      await servers?.release().catch((e: unknown) => warn('stopping the servers', e));
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n[bench] ${signal}: stopping\n`);
      void finish().finally(() => process.exit(130));
    });
  }

  const started = Date.now();
  try {
    servers = await acquireServers();
    const machine = await describeMachine(servers);
    for (const id of SYSTEM_IDS) if (config.systems.includes(id)) systems.push(benchSystem(id, runPrefix));
    const rounds = new Map<BenchSystem, SystemResult[]>(systems.map((system) => [system, []]));
    for (let round = 1; round <= config.rounds; round++) {
      // Every other round runs the systems in reverse order, so that a machine that speeds up or slows down
      // over the run (a shared VM does, by ±25 %) favours none of the systems that run next to each other.
      for (const system of round % 2 === 1 ? systems : [...systems].reverse()) {
        const extras = round === config.rounds;
        rounds.get(system)?.push(await runSystem(system, config, servers, { build, logDir, round, extras }));
        await deleteSystemResources(servers, system);
      }
    }
    const results = systems.map((system) => bestRound(rounds.get(system) ?? []));
    const replicaRounds = pairedThroughputs(rounds, 'DTA', 'DTA-x2');
    const scaling: ScalingResult[] | undefined =
      config.scaling && config.systems.includes('dta')
        ? await runScaling(config, servers, {
            build,
            logDir,
            runPrefix,
            track: (system) => scalingSystems.push(system),
          })
        : undefined;
    const profiles = results.flatMap((r) =>
      Object.entries(r.profile?.files ?? {}).map(([role, file]) => ({
        system: r.system,
        role,
        ...summarizeProfile(file),
      })),
    );
    // Formatted as `npm run format:check` expects every Markdown file to be (aligned tables read better too).
    const file = resolve(ROOT, config.out || 'BENCHMARKS.md');
    const report = await format(
      renderReport({
        date: new Date(),
        machine,
        config,
        results,
        replicaRounds,
        scaling,
        profiles,
        durationMs: Date.now() - started,
      }),
      { ...(await resolveConfig(file)), filepath: file },
    );
    process.stdout.write(`\n${report}\n`);
    const compared = systems.some((s) => s.kind === 'ceiling') && systems.some((s) => s.kind !== 'ceiling');
    const write = config.out !== '' && compared;
    if (write) writeFileSync(file, report);
    process.stderr.write(`[bench] ${write ? `wrote ${config.out}; ` : ''}logs and profiles in ${logDir}\n`);
  } finally {
    await finish();
  }
}

function warn(what: string, error: unknown): void {
  process.stderr.write(`[bench] ${what} failed: ${error instanceof Error ? error.message : String(error)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
