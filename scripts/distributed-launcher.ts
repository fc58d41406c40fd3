import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** The apps of the distributed booking system, in start order (consumers before the front door). */
export const DISTRIBUTED_APPS = [
  'orchestrator',
  'order-service',
  'payment-service',
  'inventory-service',
  'gateway',
] as const;
export type DistributedApp = (typeof DISTRIBUTED_APPS)[number];

export interface LaunchedProcess {
  app: DistributedApp;
  replica: number;
  name: string;
  child: ChildProcess;
  /** REST and gRPC ports, for a gateway. */
  ports?: { http: number; grpc: number };
  /** `HEALTH_PORT` of a process with no front door, when `healthPorts` is set. */
  healthPort?: number;
}

export interface LaunchOptions {
  /** Replicas per app. @default 1 each */
  replicas?: Partial<Record<DistributedApp, number>>;
  /** Environment of every process (on top of this process's). */
  env?: NodeJS.ProcessEnv;
  /** First REST and gRPC ports of the gateways; replica i gets base + i - 1. @default 3000 and 10000 */
  basePorts?: { http: number; grpc: number };
  /**
   * First `HEALTH_PORT` of the processes with no front door (orchestrators and services, in start order,
   * one port each), so that each serves `/health/live` and `/health/ready`. @default none: no health port
   */
  healthPorts?: number;
  /** Where each output line goes, prefixed with the process name. @default process.stdout */
  onLine?: (name: string, line: string) => void;
  /**
   * `bundle`: run the webpack bundles in `dist/apps` (`npm run build` first). `source`: run the TypeScript
   * sources through ts-node (slower to start, needs no build; what the tests use). @default 'bundle'
   */
  runtime?: 'bundle' | 'source';
  /** Called when a process exits while the launcher is not stopping. */
  onExit?: (process: LaunchedProcess, code: number | null) => void;
}

/** Starts each app of the distributed system as its own process (see `runtime`). */
export class DistributedLauncher {
  readonly processes: LaunchedProcess[] = [];
  private stopping = false;

  constructor(private readonly options: LaunchOptions = {}) {}

  start(): LaunchedProcess[] {
    const base = this.options.basePorts ?? { http: 3000, grpc: 10000 };
    let nextHealthPort = this.options.healthPorts;
    for (const app of DISTRIBUTED_APPS) {
      const count = this.options.replicas?.[app] ?? 1;
      for (let replica = 1; replica <= count; replica++) {
        const ports =
          app === 'gateway' ? { http: base.http + replica - 1, grpc: base.grpc + replica - 1 } : undefined;
        const healthPort = app === 'gateway' || nextHealthPort === undefined ? undefined : nextHealthPort++;
        this.processes.push(this.spawn(app, replica, count, ports, healthPort));
      }
    }
    return this.processes;
  }

  /** SIGTERM to every process (graceful shutdown: in-flight messages finish), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    await Promise.all(this.processes.map((p) => stopProcess(p.child, graceMs)));
  }

  private spawn(
    app: DistributedApp,
    replica: number,
    count: number,
    ports?: LaunchedProcess['ports'],
    healthPort?: number,
  ): LaunchedProcess {
    const name = count > 1 ? `${app}#${replica}` : app;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...(process.stdout.isTTY ? {} : { NO_COLOR: '1' }),
      ...this.options.env,
    };
    if (ports) Object.assign(env, { PORT: String(ports.http), GRPC_PORT: String(ports.grpc) });
    if (healthPort !== undefined) env.HEALTH_PORT = String(healthPort);
    const args =
      this.options.runtime === 'source'
        ? [
            '-r',
            'ts-node/register/transpile-only',
            '-r',
            'tsconfig-paths/register',
            `apps/${app}/src/main.ts`,
          ]
        : [`dist/apps/${app}/main.js`];
    const child = spawn(process.execPath, args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const launched: LaunchedProcess = { app, replica, name, child, ports, healthPort };
    const onLine = this.options.onLine ?? ((who, line) => process.stdout.write(`[${who}] ${line}\n`));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => onLine(name, line));
    }
    child.on('exit', (code) => {
      if (!this.stopping) this.options.onExit?.(launched, code);
    });
    return launched;
  }
}

async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** `REPLICAS_<APP>` (e.g. `REPLICAS_ORDER_SERVICE=2`) from an environment. */
export function replicasFromEnv(env: NodeJS.ProcessEnv): Partial<Record<DistributedApp, number>> {
  const replicas: Partial<Record<DistributedApp, number>> = {};
  for (const app of DISTRIBUTED_APPS) {
    const raw = env[`REPLICAS_${app.toUpperCase().replace(/-/g, '_')}`];
    if (raw === undefined || raw === '') continue;
    const count = Number(raw);
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(
        `REPLICAS_${app.toUpperCase().replace(/-/g, '_')} must be an integer >= 1, got '${raw}'`,
      );
    }
    replicas[app] = count;
  }
  return replicas;
}
