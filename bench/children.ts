import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildBuild } from './build';
import type { ChildMessage, Declared, IoCounts, LoadResult, ParentMessage, ProductMix } from './ipc';

/** One memory and I/O sample of a child, timed by the parent. */
export interface ChildSample {
  at: number;
  rss: number;
  heapUsed: number;
  /** CPU time (user + system) the child used since it started. */
  cpuMs: number;
  io: IoCounts;
}

/** The repository: children run from it, so `-r tsconfig-paths/register` resolves in its node_modules. */
export const ROOT = join(__dirname, '..');
const STOP_GRACE_MS = 10_000;
const live = new Set<ChildProcess>();

/** Kills (SIGKILL) every child still alive, by its own pid: for errors and Ctrl-C. */
export function killAllChildren(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

export interface BenchChildOptions {
  name: string;
  build: ChildBuild;
  /** The TypeScript source, e.g. `bench/dta/worker.process.ts`; the child runs its transpiled copy. */
  script: string;
  env: Record<string, string>;
  /** Gets stdout and stderr. */
  logFile: string;
  /** Told the queues and exchanges the child declared, with every sample. */
  onDeclared(declared: Declared): void;
}

/**
 * A bench process (orchestrator, worker or driver) run from the JavaScript `buildChildren` wrote, talking to
 * the parent over IPC; stdout and stderr go to `logFile`.
 */
export class BenchChild {
  readonly name: string;
  readonly logFile: string;
  /** Every sample the child sent, in order. */
  readonly samples: ChildSample[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<string>;

  constructor(options: BenchChildOptions) {
    const { build, script, logFile } = options;
    this.name = options.name;
    this.logFile = logFile;
    const log = openSync(logFile, 'a');
    try {
      this.child = fork(join(build.outDir, script.replace(/\.ts$/, '.js')), [], {
        cwd: ROOT,
        env: { ...process.env, ...build.env, ...options.env },
        execArgv: ['-r', 'tsconfig-paths/register'],
        stdio: ['ignore', log, log, 'ipc'],
      });
    } finally {
      closeSync(log);
    }
    live.add(this.child);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        live.delete(this.child);
        resolve(`${this.name} exited (${signal ?? `code ${code}`}); see ${this.logFile}`);
      }),
    );
    this.child.on('message', (message: ChildMessage) => {
      if (message.type !== 'sample') return;
      const { rss, heapUsed, cpuMs, io, declared } = message;
      this.samples.push({ at: Date.now(), rss, heapUsed, cpuMs, io });
      options.onDeclared(declared);
    });
  }

  /** The latest sample (children send one as they become ready). */
  get lastSample(): ChildSample {
    const last = this.samples.at(-1);
    if (!last) throw new Error(`${this.name} has sent no sample`);
    return last;
  }

  ready(timeoutMs = 60_000): Promise<void> {
    return this.reply('ready', timeoutMs).then(() => undefined);
  }

  async load(n: number, c: number, timeoutMs: number, products: ProductMix = 'spread'): Promise<LoadResult> {
    this.send({ type: 'load', n, c, products });
    return (await this.reply('load-done', timeoutMs)).result;
  }

  profileStart(): void {
    this.send({ type: 'profile-start' });
  }

  async profileStop(file: string): Promise<void> {
    this.send({ type: 'profile-stop', file });
    await this.reply('profile-written', 30_000);
  }

  /** Asks the child to close its connections and exit; kills it if it has not within 10 s. */
  async stop(): Promise<void> {
    if (!live.has(this.child)) return;
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private send(message: ParentMessage): void {
    if (!this.child.connected) throw new Error(`${this.name} is not running; see ${this.logFile}`);
    this.child.send(message);
  }

  /** The child's next message of `type`; rejects if it fails, exits or takes longer than `timeoutMs`. */
  private reply<T extends ChildMessage['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: ChildMessage): void => {
        if (message.type === type) settle(() => resolve(message as Extract<ChildMessage, { type: T }>));
        else if (message.type === 'failed')
          settle(() => reject(new Error(`${this.name} failed: ${message.message}`)));
      };
      const timer = setTimeout(
        () => settle(() => reject(new Error(`${this.name}: no '${type}' within ${timeoutMs} ms`))),
        timeoutMs,
      );
      const settle = (how: () => void): void => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        how();
      };
      this.child.on('message', onMessage);
      void this.exited.then((why) => settle(() => reject(new Error(why))));
    });
  }
}
