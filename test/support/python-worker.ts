import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Debian's interpreter: the `python3` on PATH may be a pyenv shim that does not see Debian's packages. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
/** The example worker (see examples/python-worker/README.md). */
export const PYTHON_WORKER_SCRIPT = join(__dirname, '../../examples/python-worker/inventory_worker.py');

const run = promisify(execFile);
/** The line the worker logs once it consumes its queue. */
const READY = /consuming \S+ as /;
const TAIL_LINES = 60;

function hasPika(): boolean {
  try {
    execFileSync(SYSTEM_PYTHON, ['-c', 'import pika'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure `/usr/bin/python3` can import pika: installs Debian's `python3-pika` when it cannot and this runs
 * as root (non-interactive, `apt-get update` first if the package is unknown); otherwise throws saying what to
 * install.
 */
export function ensurePythonPika(): void {
  if (hasPika()) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${SYSTEM_PYTHON} cannot import pika, and this is not root: install it first (sudo apt-get install -y python3-pika).`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): void =>
    void execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'python3-pika'], {
      env,
      stdio: 'pipe',
      timeout: 300_000,
    });
  try {
    install();
  } catch {
    execFileSync('apt-get', ['update'], { env, stdio: 'pipe', timeout: 300_000 });
    install();
  }
  if (!hasPika()) throw new Error(`python3-pika installed, but ${SYSTEM_PYTHON} still cannot import pika`);
}

export interface PythonWorkerOptions {
  amqpUrl: string;
  /** `DTA_PREFIX`: the names of its exchange and queues. */
  prefix: string;
  /** Its sqlite3 file. */
  stateDb: string;
  /** Stock of a product the first time the worker sees it. */
  initialStock: number;
  /** More environment variables (`DTA_MAX_DELIVERIES`, `DTA_DB_BUSY_TIMEOUT_MS`, ...). */
  env?: Record<string, string>;
  /** Write its output to stderr too. @default false */
  echo?: boolean;
}

/** One row of the worker's barrier table: how the task of one saga ended, on the worker's side. */
export interface PythonBarrierRow {
  saga_id: string;
  task: string;
  state: 'done' | 'failed' | 'compensated';
  attempt: number;
  output: string | null;
  reply: string | null;
  /** 0: compensated before any run began (null compensation). */
  started: number;
}

export interface PythonReservationRow {
  saga_id: string;
  order_id: string;
  product_id: string;
  quantity: number;
  state: 'reserved' | 'released';
}

/** What `inventory_worker.py state` prints. */
export interface PythonWorkerState {
  barrier: PythonBarrierRow[];
  reservations: PythonReservationRow[];
  stock: { product_id: string; available: number; reserved: number }[];
}

/** The example Python worker as a child process of the test. */
export class PythonWorker {
  private child?: ChildProcess;
  private exited?: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly tail: string[] = [];
  private readonly killOnExit = (): void => void this.child?.kill('SIGKILL');

  constructor(private readonly options: PythonWorkerOptions) {}

  private get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      AMQP_URL: this.options.amqpUrl,
      DTA_PREFIX: this.options.prefix,
      DTA_STATE_DB: this.options.stateDb,
      INVENTORY_INITIAL_STOCK: String(this.options.initialStock),
      DTA_EXIT_WITH_PARENT: 'true',
      PYTHONUNBUFFERED: '1',
      ...this.options.env,
    };
  }

  /** Spawns the worker; resolves once it consumes its queue, rejects if it exits first or within `timeoutMs`. */
  async start(timeoutMs = 20_000): Promise<void> {
    const child = spawn(SYSTEM_PYTHON, [PYTHON_WORKER_SCRIPT], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    process.on('exit', this.killOnExit);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const ready = new Promise<void>((resolve, reject) => {
      let buffered = '';
      const onData = (chunk: Buffer): void => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          if (this.options.echo) process.stderr.write(`[python-worker] ${line}\n`);
          this.tail.push(line);
          if (this.tail.length > TAIL_LINES) this.tail.shift();
          if (READY.test(line)) resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void this.exited?.then(({ code, signal }) =>
        reject(
          new Error(`the Python worker exited (${code ?? signal}) before it was ready:\n${this.output()}`),
        ),
      );
      setTimeout(
        () => reject(new Error(`the Python worker was not ready within ${timeoutMs} ms:\n${this.output()}`)),
        timeoutMs,
      ).unref();
    });
    await ready;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it exited. */
  async stop(graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = this.child;
    if (!child || !this.exited) return { code: null, signal: null };
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      process.removeListener('exit', this.killOnExit);
    }
  }

  /** The worker's sqlite3 state (of one saga, or all), read by the worker's own `state` command. */
  async state(sagaId?: string): Promise<PythonWorkerState> {
    const args = [PYTHON_WORKER_SCRIPT, 'state', ...(sagaId ? [sagaId] : [])];
    const { stdout } = await run(SYSTEM_PYTHON, args, { env: this.env });
    return JSON.parse(stdout) as PythonWorkerState;
  }

  /**
   * Takes the write lock of the worker's sqlite3 file (from another process, as a second replica or a backup
   * would) and holds it until the returned function is called: every transaction of the worker fails meanwhile
   * once its busy timeout passes.
   */
  async lockStateDb(): Promise<() => Promise<void>> {
    const script = [
      'import sqlite3, sys',
      'db = sqlite3.connect(sys.argv[1], isolation_level=None)',
      'db.execute("BEGIN IMMEDIATE")',
      'print("locked", flush=True)',
      'sys.stdin.read()',
      'db.execute("ROLLBACK")',
    ].join('\n');
    const holder = spawn(SYSTEM_PYTHON, ['-c', script, this.options.stateDb], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      holder.stdout.once('data', () => resolve());
      void exited.then(() => reject(new Error('the lock holder exited before it held the lock')));
    });
    return async () => {
      holder.stdin.end();
      await exited;
    };
  }

  /** Its last output lines, for failure messages. */
  output(): string {
    return this.tail.join('\n');
  }
}
