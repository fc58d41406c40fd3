import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { Channel } from 'amqplib';
import Redis from 'ioredis';
import { resolveInfraConfig } from '../test/infra/infra-config';
import { acquireTestServers, releaseTestServers } from '../test/infra/test-servers';
import { connectAmqp } from './ceiling/ceiling-amqp';
import type { BenchSystem } from './systems';

/** Where the bench finds RabbitMQ and Redis. */
export interface BenchServers {
  amqpUrl: string;
  redisUrl: string;
  /** Stops the servers this run started (if no test run uses them meanwhile). */
  release(): Promise<void>;
}

/**
 * RabbitMQ at `AMQP_URL` and Redis at `REDIS_URL` (the test defaults on localhost): used if they answer,
 * else started by the test infrastructure's starter, which the bench then stops.
 */
export async function acquireServers(): Promise<BenchServers> {
  const config = resolveInfraConfig(process.env, []);
  await acquireTestServers(config);
  return { amqpUrl: config.amqpUrl, redisUrl: config.redisUrl, release: () => releaseTestServers(config) };
}

/** The machine and server versions, for the report. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  rabbitmq: string;
  redis: string;
  redisPersistence: string;
  /** The library measured: its commit, and whether libs/saga had uncommitted changes. */
  library: string;
}

export async function describeMachine(servers: BenchServers): Promise<MachineInfo> {
  const amqp = await connectAmqp(servers.amqpUrl);
  const rabbitmq = String(amqp.connection.serverProperties.version ?? '?');
  await amqp.close();
  const redis = new Redis(servers.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const info = await redis.info('server');
    const [, appendonly] = (await redis.config('GET', 'appendonly')) as string[];
    const [, save] = (await redis.config('GET', 'save')) as string[];
    return {
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model.trim() ?? '?',
      memoryGb: totalmem() / 1024 ** 3,
      node: process.version,
      rabbitmq,
      redis: /redis_version:(\S+)/.exec(info)?.[1] ?? '?',
      redisPersistence: `appendonly ${appendonly}, save '${save}'`,
      library: librarySnapshot(),
    };
  } finally {
    redis.disconnect();
  }
}

function librarySnapshot(): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'libs/saga') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in libs/saga' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/**
 * Deletes the queues and exchanges a system's processes declared, and its Redis keys (`<prefix>:*`).
 * Idempotent; one failure does not keep the rest from being deleted.
 */
export async function deleteSystemResources(servers: BenchServers, system: BenchSystem): Promise<void> {
  const failures: string[] = [];
  const amqp = await connectAmqp(servers.amqpUrl);
  try {
    const { queues, exchanges } = system.declared;
    const deletes = [
      ...[...queues].map((queue) => (channel: Channel) => channel.deleteQueue(queue)),
      ...[...exchanges].map((exchange) => (channel: Channel) => channel.deleteExchange(exchange)),
    ];
    for (const remove of deletes) {
      // A refused delete closes its channel: one channel each.
      const channel = await amqp.createChannel();
      channel.on('error', () => undefined);
      try {
        await remove(channel);
        await channel.close();
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  } finally {
    await amqp.close();
  }
  await deleteRedisKeys(servers.redisUrl, `${system.prefix}:*`);
  if (failures.length > 0) throw new Error(`some deletes failed: ${failures.join('; ')}`);
}

async function deleteRedisKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * CPU time (ms) the servers used since they started (Redis by INFO, RabbitMQ from /proc when it runs here),
 * and the whole machine's busy time (Linux), to tell how much other programs took meanwhile.
 */
export interface ServerCpu {
  redis: number;
  rabbitmq?: number;
  machine?: number;
}

export async function serverCpu(servers: BenchServers): Promise<ServerCpu> {
  const redis = new Redis(servers.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const info = await redis.info('cpu');
    const seconds = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    const rabbitmq = rabbitMqCpuMs();
    const machine = machineBusyMs();
    return {
      redis: (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000,
      ...(rabbitmq === undefined ? {} : { rabbitmq }),
      ...(machine === undefined ? {} : { machine }),
    };
  } finally {
    redis.disconnect();
  }
}

/** User + system time of local RabbitMQ nodes (`beam.smp ... rabbit`), on Linux; undefined elsewhere. */
function rabbitMqCpuMs(): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  let ticks: number | undefined;
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('beam.smp') || !cmdline.includes('rabbit')) continue;
      // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks = (ticks ?? 0) + Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks === undefined ? undefined : ticks * 10; // USER_HZ is 100 on Linux
}

/** Busy time of all CPUs together (everything but idle and iowait) from /proc/stat; undefined elsewhere. */
function machineBusyMs(): number | undefined {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return (user + nice + system + irq + softirq + steal) * 10;
  } catch {
    return undefined;
  }
}
