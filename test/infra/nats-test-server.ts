import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { isAlive } from './infra-registry';
import { isPortClosed, pollUntil, probeNats } from './service-probe';
import { ensureExecutables, findExecutable, spawnDetached, tailOf } from './system-commands';
import { TestInfraError } from './test-infra.error';

/** A throw-away NATS server with JetStream a test run started: its store, pid file and log in `dir`. */
export interface StartedNats {
  kind: 'nats';
  port: number;
  dir: string;
  pid?: number;
}

/** How {@link startNats} runs the server. */
export interface NatsStartOptions {
  /** Start on the JetStream store already in the folder (a restart) instead of an empty one. @default false */
  keepData?: boolean;
}

const READY_TIMEOUT_MS = 15_000;

/**
 * Starts `nats-server -js` on the loopback interface at `port`, its JetStream store (`-sd`) in a folder of
 * its own, and waits until it greets clients. `nats-server` has no daemon mode: it runs as a detached process
 * of its own, its pid recorded. Installs it first if it is missing and we may (see {@link ensureExecutables});
 * Debian bookworm ships 2.9 (no multi-filter consumers).
 */
export async function startNats(
  port: number,
  stateDir: string,
  { keepData = false }: NatsStartOptions = {},
): Promise<StartedNats> {
  ensureExecutables(['nats-server']);
  const dir = join(stateDir, `nats-${port}`);
  if (!keepData) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'nats.pid');
  const logFile = join(dir, 'nats.log');
  // prettier-ignore
  const args = [
    '-js',
    '-sd', join(dir, 'jetstream'),
    '-a', '127.0.0.1',
    '-p', String(port),
    '-P', pidFile,
    '-l', logFile,
  ];
  const pid = spawnDetached(findExecutable('nats-server') ?? 'nats-server', args, join(dir, 'launch.log'));
  const started: StartedNats = { kind: 'nats', port, dir, pid };
  const ready = await pollUntil(
    async () => (await probeNats('127.0.0.1', port)) === 'ready',
    READY_TIMEOUT_MS,
    100,
    () => (isAlive(pid) ? undefined : 'nats-server exited'),
  );
  if (!ready.ok) {
    const detail = `${tailOf(join(dir, 'launch.log'), 10)}\n${tailOf(logFile)}`;
    await stopNats(started, { keepData: true }).catch(() => undefined);
    throw new TestInfraError(`nats-server on port ${port} did not start: ${ready.reason}`, detail);
  }
  return started;
}

/**
 * Stops a started server with SIGTERM (it shuts down cleanly, JetStream flushed), waits until its port is
 * closed and removes its folder unless `keepData` (to start it again on the same store).
 */
export async function stopNats(
  server: StartedNats,
  { keepData = false }: NatsStartOptions = {},
): Promise<void> {
  const pid = serverPid(server);
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const closed = await pollUntil(
    async () => (pid === undefined || !isAlive(pid)) && (await isPortClosed('127.0.0.1', server.port)),
    15_000,
    100,
  );
  if (!closed.ok) {
    throw new TestInfraError(`nats-server on port ${server.port} (pid ${pid ?? '?'}) did not stop`);
  }
  if (!keepData) rmSync(server.dir, { recursive: true, force: true });
}

/**
 * The pid of a started server if it is still that server: a pid recorded by an earlier run may have been
 * reused by another process since, which must not get our signal.
 */
function serverPid(server: StartedNats): number | undefined {
  const pidFile = join(server.dir, 'nats.pid');
  const recorded = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : server.pid;
  if (!recorded || !Number.isInteger(recorded)) return undefined;
  try {
    const command = readFileSync(`/proc/${recorded}/cmdline`, 'utf8');
    return command.includes('nats-server') ? recorded : undefined;
  } catch {
    return isAlive(recorded) ? recorded : undefined; // no /proc (not Linux): trust the record
  }
}
