import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

import { logInfra } from './infra-log';
import type { StartedNats } from './nats-test-server';
import type { StartedRabbitMq } from './rabbitmq-test-server';
import type { StartedRedisCluster } from './redis-cluster-test-server';
import type { StartedRedis } from './redis-test-server';
import { TestInfraError } from './test-infra.error';

/** A server some test run started, stopped by the last run that uses it. */
export type StartedServer = StartedRedis | StartedRedisCluster | StartedRabbitMq | StartedNats;

/**
 * The machine-wide record of the servers test runs started (`registry.json` in the state folder).
 * `leases` holds the pids of the jest processes using them: concurrent runs (two clones, two engineers)
 * share the servers, and only the last one to finish stops them. Leases of dead processes (a run killed
 * with Ctrl-C) are dropped, so the next run to finish cleans up after them.
 */
export interface InfraRegistry {
  servers: Record<string, StartedServer>;
  leases: number[];
}

const LOCK_WAIT_MS = 15 * 60_000;
const LOCK_POLL_MS = 250;

/** Whether a process is still alive (EPERM: alive, owned by someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `work` holding the registry lock (a directory: `mkdir` is atomic), so two runs never start the
 * same server twice. A lock whose owner died is taken over.
 */
export async function withRegistry<T>(
  stateDir: string,
  work: (registry: InfraRegistry, save: (registry: InfraRegistry) => void) => Promise<T>,
): Promise<T> {
  mkdirSync(stateDir, { recursive: true });
  const lockDir = join(stateDir, 'lock');
  await acquireLock(lockDir);
  try {
    const file = join(stateDir, 'registry.json');
    const save = (registry: InfraRegistry) => {
      writeFileSync(`${file}.tmp`, JSON.stringify(registry, null, 2));
      renameSync(`${file}.tmp`, file);
    };
    const registry = readRegistry(file);
    registry.leases = registry.leases.filter(isAlive);
    return await work(registry, save);
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function readRegistry(file: string): InfraRegistry {
  if (!existsSync(file)) {
    return { servers: {}, leases: [] };
  }
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<InfraRegistry>;
    return { servers: parsed.servers ?? {}, leases: parsed.leases ?? [] };
  } catch {
    logInfra(`ignoring unreadable ${file}`);
    return { servers: {}, leases: [] };
  }
}

async function acquireLock(lockDir: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
    }
    const owner = lockOwner(lockDir);
    if (owner === undefined ? lockAgeMs(lockDir) > 10_000 : !isAlive(owner)) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new TestInfraError(`Timed out waiting for the test infra lock ${lockDir} held by pid ${owner}`);
    }
    if (!announced) {
      logInfra(`waiting for another test run (pid ${owner ?? '?'}) to finish starting or stopping servers`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

function lockOwner(lockDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function lockAgeMs(lockDir: string): number {
  try {
    return Date.now() - statSync(lockDir).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
