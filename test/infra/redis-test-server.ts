import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { isPortClosed, pollUntil, probeRedis } from './service-probe';
import { ensureExecutables, findExecutable, launchDaemon, runCommand, tailOf } from './system-commands';
import { TestInfraError } from './test-infra.error';

/** A throw-away Redis a test run started: append-only file, data and log in `dir`. */
export interface StartedRedis {
  kind: 'redis';
  port: number;
  dir: string;
  pid?: number;
  password?: string;
}

/** How {@link startRedis} runs the server. */
export interface RedisStartOptions {
  password?: string;
  /** Start on the data already in the folder (a restart) instead of an empty one. @default false */
  keepData?: boolean;
  /**
   * Start a Redis Cluster node (`--cluster-enabled yes`, its `nodes.conf` in its folder), which serves no slot
   * until `redis-cli --cluster create` assigns it some (see `startRedisCluster`). @default false
   */
  clusterNode?: boolean;
}

const READY_TIMEOUT_MS = 15_000;

/**
 * Starts `redis-server` on the loopback interface at `port`, durable as production should be (append-only
 * file fsynced every second, no RDB snapshots, `noeviction`, which RedisSagaStore requires), and waits
 * until it answers (an AOF being loaded answers `-LOADING`: not yet). `keepData` restarts it on the data
 * already in its folder. Installs it first if it is missing and we may (see {@link ensureExecutables}).
 */
export async function startRedis(
  port: number,
  stateDir: string,
  { password, keepData = false, clusterNode = false }: RedisStartOptions = {},
): Promise<StartedRedis> {
  ensureExecutables(['redis-server']);
  const dir = join(stateDir, `redis-${port}`);
  if (!keepData) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'redis.pid');
  const logFile = join(dir, 'redis.log');
  // prettier-ignore
  const args = [
    '--daemonize', 'yes',
    '--port', String(port),
    '--bind', '127.0.0.1', '-::1',
    '--save', '',
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--maxmemory-policy', 'noeviction',
    '--dir', dir,
    '--pidfile', pidFile,
    '--logfile', logFile,
    ...(password ? ['--requirepass', password] : []),
    ...(clusterNode ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf')] : []),
  ];
  launchDaemon(findExecutable('redis-server') ?? 'redis-server', args, join(dir, 'launch.log'));
  const ready = await pollUntil(
    async () => (await probeRedis('127.0.0.1', port)) === 'ready',
    READY_TIMEOUT_MS,
    100,
  );
  if (!ready.ok) {
    throw new TestInfraError(`redis-server on port ${port} did not start: ${ready.reason}`, tailOf(logFile));
  }
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined;
  return { kind: 'redis', port, dir, pid, password };
}

/** Shuts a started Redis down without saving (`redis-cli shutdown nosave`, else SIGTERM) and removes its folder. */
export async function stopRedis(server: StartedRedis): Promise<void> {
  const redisCli = findExecutable('redis-cli');
  if (redisCli) {
    const auth = server.password ? ['-a', server.password, '--no-auth-warning'] : [];
    runCommand(redisCli, ['-h', '127.0.0.1', '-p', String(server.port), ...auth, 'shutdown', 'nosave'], {
      timeoutMs: 10_000,
    });
  } else if (server.pid) {
    try {
      process.kill(server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const closed = await pollUntil(() => isPortClosed('127.0.0.1', server.port), 10_000, 100);
  if (!closed.ok) {
    throw new TestInfraError(`redis-server on port ${server.port} (pid ${server.pid ?? '?'}) did not stop`);
  }
  rmSync(server.dir, { recursive: true, force: true });
}

/** `kill -9` of a started Redis (a crash: nothing flushed beyond what the AOF policy already wrote). */
export async function killRedis(server: StartedRedis): Promise<void> {
  if (!server.pid) throw new TestInfraError(`redis-server on port ${server.port}: no pid to kill`);
  process.kill(server.pid, 'SIGKILL');
  const closed = await pollUntil(() => isPortClosed('127.0.0.1', server.port), 10_000, 50);
  if (!closed.ok) {
    throw new TestInfraError(`redis-server on port ${server.port} (pid ${server.pid}) survived SIGKILL`);
  }
}
