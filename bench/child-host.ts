import { CpuProfiler } from './cpu-profiler';
import { instrumentChild } from './instrumentation';
import type { ChildMessage, ParentMessage, ProductMix } from './ipc';
import { runClosedLoop } from './load';

/** One process of the bench once it is up: an orchestrator, a worker or a driver. */
export interface BenchRole {
  /** Starts saga `i` of a run booking `products`, and resolves when its result arrived (drivers only). */
  runSaga?: (i: number, products: ProductMix) => Promise<void>;
  /** Closes connections; the process exits afterwards. */
  stop(): Promise<void>;
}

const SAMPLE_MS = 250;

function send(message: ChildMessage): void {
  process.send?.(message);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Runs a bench child: starts its role, says `ready`, samples memory, CPU and I/O counts every 250 ms,
 * runs load and the profiler on request, stops on `stop`, and exits if the parent goes away.
 */
export function hostChild(start: () => Promise<BenchRole>): void {
  if (!process.send) throw new Error('bench children are started by `npm run bench`, through IPC');
  const counters = instrumentChild();
  const profiler = new CpuProfiler();
  process.on('disconnect', () => process.exit(1));
  void (async () => {
    let role: BenchRole;
    try {
      role = await start();
    } catch (error) {
      send({ type: 'failed', message: describe(error) });
      process.exit(1);
    }
    const sample = (): void => {
      const { rss, heapUsed } = process.memoryUsage();
      const { user, system } = process.cpuUsage();
      send({
        type: 'sample',
        rss,
        heapUsed,
        cpuMs: (user + system) / 1000,
        io: counters.io(),
        declared: counters.declared(),
      });
    };
    sample();
    setInterval(sample, SAMPLE_MS).unref();
    send({ type: 'ready' });
    process.on('message', (message: ParentMessage) => {
      void handle(role, profiler, message).catch((error: unknown) => {
        send({ type: 'failed', message: describe(error) });
        process.exit(1);
      });
    });
  })();
}

async function handle(role: BenchRole, profiler: CpuProfiler, message: ParentMessage): Promise<void> {
  switch (message.type) {
    case 'load': {
      const { runSaga } = role;
      if (!runSaga) throw new Error('this process does not start sagas');
      const result = await runClosedLoop(message.n, message.c, (i) => runSaga(i, message.products));
      send({ type: 'load-done', result });
      return;
    }
    case 'profile-start':
      return profiler.start();
    case 'profile-stop':
      await profiler.stop(message.file);
      send({ type: 'profile-written', file: message.file });
      return;
    case 'stop':
      await role.stop();
      process.exit(0);
  }
}
