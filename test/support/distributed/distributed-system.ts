import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DISTRIBUTED_APPS,
  type DistributedApp,
  DistributedLauncher,
  type LaunchedProcess,
} from '../../../scripts/distributed-launcher';
import { freePort } from './free-port';
import { TEST_SECURITY_ENV } from '../standalone-app';
import { GatewayClient } from './gateway-client';

/** One process of the system under test. */
export interface SystemProcess {
  app: DistributedApp;
  replica: number;
  /** `gateway#2` */
  name: string;
  /** Its `SAGA_INSTANCE_ID`: the address of its result queue and the `instance` of its events. */
  instanceId: string;
  /** The running process (replaced when {@link DistributedSystem.revive} starts it again). */
  launched: LaunchedProcess;
  /** REST and gRPC ports, for a gateway. */
  ports?: { http: number; grpc: number };
}

export interface DistributedSystemOptions {
  /** `SAGA_PREFIX` of every process; also the start of every instance id. */
  prefix: string;
  replicas: Record<DistributedApp, number>;
  /** Environment of every process, on top of the test's. */
  env: NodeJS.ProcessEnv;
  /** Also write every output line to stderr (for debugging; `DTA_E2E_LOGS=1`). @default false */
  echo?: boolean;
}

const LOG_TAIL_LINES = 40;
/** Stops a process whose parent (this test process) died without stopping it; see the file. */
const WATCHDOG = join(__dirname, 'parent-watchdog.js');
/** The line `startService` logs once consumers are up (Nest logger: `... LOG [Orchestrator] running`). */
const SERVICE_READY = /\] running\s*$/;

/**
 * The booking system as separate processes, through `DistributedLauncher` from the TypeScript sources. Each
 * process gets a launcher of its own so that it can get its own `SAGA_INSTANCE_ID` (known instance ids name
 * the orchestrators in events and let the test delete every result queue) and its own free ports.
 */
export class DistributedSystem {
  readonly processes: SystemProcess[] = [];
  /** Processes that exited while the system was not being stopped. */
  readonly crashes: { name: string; code: number | null }[] = [];

  private readonly launchers: DistributedLauncher[] = [];
  private readonly tails = new Map<string, string[]>();
  private readonly ready = new Set<string>();
  /** Children killed on purpose by {@link crash}. */
  private readonly expectedExits = new WeakSet<object>();
  private stopping = false;
  private readonly killOnExit = (): void => this.kill();

  constructor(private readonly options: DistributedSystemOptions) {}

  /** Spawns every process (does not wait for them: see {@link waitUntilReady}). */
  async start(): Promise<void> {
    process.on('exit', this.killOnExit);
    const taken = new Set<number>();
    const port = async (): Promise<number> => {
      let free = await freePort();
      while (taken.has(free)) free = await freePort();
      taken.add(free);
      return free;
    };
    for (const app of DISTRIBUTED_APPS) {
      for (let replica = 1; replica <= this.options.replicas[app]; replica++) {
        const ports = app === 'gateway' ? { http: await port(), grpc: await port() } : undefined;
        this.spawn(app, replica, ports);
      }
    }
  }

  /**
   * Resolves once every gateway answers HTTP and every other process logged that it runs; rejects at the
   * deadline, or as soon as a process exits meanwhile, with the tail of each unready process's output.
   */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const crashesBefore = this.crashes.length;
    for (;;) {
      if (this.stopping) throw new Error('the system was stopped while starting');
      if (this.crashes.length > crashesBefore) {
        throw new Error(`a process exited while starting:\n${this.report()}`);
      }
      for (const gateway of this.processes.filter((p) => p.ports && !this.ready.has(p.name))) {
        if (await this.answersHttp(gateway)) this.ready.add(gateway.name);
      }
      if (this.ready.size === this.processes.length) return;
      if (Date.now() >= deadline) throw new Error(`not ready within ${timeoutMs} ms:\n${this.report()}`);
      await sleep(250);
    }
  }

  /** Processes of one app, by replica. */
  of(app: DistributedApp): SystemProcess[] {
    return this.processes.filter((p) => p.app === app);
  }

  /** An HTTP client of gateway `replica` (1-based). */
  gateway(replica: number): GatewayClient {
    const gateway = this.of('gateway')[replica - 1];
    if (!gateway?.ports) throw new Error(`no gateway #${replica}`);
    return new GatewayClient(`http://127.0.0.1:${gateway.ports.http}`, gateway.name);
  }

  /** The process `name` (`orchestrator#1`); throws if there is none. */
  named(name: string): SystemProcess {
    const found = this.processes.find((p) => p.name === name);
    if (!found)
      throw new Error(`no process ${name} (there are ${this.processes.map((p) => p.name).join(', ')})`);
    return found;
  }

  /** `kill -9` of one process, as a crash; resolves once it is gone. Not recorded in {@link crashes}. */
  async crash(name: string): Promise<void> {
    const { launched } = this.named(name);
    this.ready.delete(name);
    this.expectedExits.add(launched.child);
    if (launched.child.exitCode !== null || launched.child.signalCode !== null) return;
    const exited = new Promise((resolve) => launched.child.once('exit', resolve));
    launched.child.kill('SIGKILL');
    await exited;
  }

  /** Starts a crashed process again with the same instance id and ports; see {@link waitUntilReady}. */
  revive(name: string): void {
    const { app, replica, ports } = this.named(name);
    this.spawn(app, replica, ports);
  }

  /** SIGTERM to every process (graceful: in-flight messages finish), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    try {
      await Promise.all(this.launchers.map((launcher) => launcher.stop(graceMs)));
    } finally {
      process.removeListener('exit', this.killOnExit);
    }
  }

  /** SIGKILL to every process still alive (synchronous: safe in an `exit` handler). */
  kill(): void {
    for (const { launched } of this.processes) {
      const { child } = launched;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  /** The last output lines of every process not ready yet (all of them if all are), for failure messages. */
  report(names = this.processes.map((p) => p.name)): string {
    const unready = names.filter((name) => !this.ready.has(name));
    return (unready.length > 0 ? unready : names)
      .map(
        (name) =>
          `--- ${name}${this.ready.has(name) ? '' : ' (not ready)'}\n${(this.tails.get(name) ?? []).join('\n')}`,
      )
      .join('\n');
  }

  private spawn(app: DistributedApp, replica: number, ports?: { http: number; grpc: number }): void {
    const name = `${app}#${replica}`;
    const instanceId = `${this.options.prefix}.${app}-${replica}`;
    const launcher = new DistributedLauncher({
      // One launcher per process: this app once, no other app.
      replicas: Object.fromEntries(DISTRIBUTED_APPS.map((a) => [a, a === app ? 1 : 0])),
      env: {
        ...TEST_SECURITY_ENV,
        ...this.options.env,
        SAGA_PREFIX: this.options.prefix,
        SAGA_INSTANCE_ID: instanceId,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${WATCHDOG}`.trim(),
      },
      basePorts: ports,
      runtime: 'source',
      onLine: (_who, line) => this.onLine(name, line),
      onExit: (launched, code) => {
        if (!this.expectedExits.has(launched.child)) this.crashes.push({ name, code });
      },
    });
    this.launchers.push(launcher);
    const [launched] = launcher.start();
    const known = this.processes.find((p) => p.name === name);
    if (known) known.launched = launched;
    else this.processes.push({ app, replica, name, instanceId, launched, ports });
    const args = launched.child.spawnargs.join(' ');
    if (/\bdist\/apps\//.test(args)) {
      // A build in dist/ may be older than the sources: the test would pass or fail for the wrong code.
      throw new Error(`DistributedLauncher ignored runtime: 'source' and runs the bundle: ${args}`);
    }
  }

  private onLine(name: string, line: string): void {
    if (this.options.echo) process.stderr.write(`[${name}] ${line}\n`);
    const tail = this.tails.get(name) ?? [];
    tail.push(line);
    if (tail.length > LOG_TAIL_LINES) tail.shift();
    this.tails.set(name, tail);
    if (!name.startsWith('gateway#') && SERVICE_READY.test(line)) this.ready.add(name);
  }

  private async answersHttp(gateway: SystemProcess): Promise<boolean> {
    try {
      const response = await fetch(`http://127.0.0.1:${gateway.ports!.http}/inventory/readiness-probe`, {
        signal: AbortSignal.timeout(2_000),
      });
      return response.status === 200;
    } catch {
      return false;
    }
  }
}
