import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { NatsTransport } from '@dta/saga/transport/nats';
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import type { Channel } from 'amqplib';
import Redis from 'ioredis';
import { isLocalUrl, resolveInfraConfig } from '../test/infra/infra-config';
import { acquireTestServers, releaseTestServers } from '../test/infra/test-servers';
import { connectAmqp } from './ceiling/ceiling-amqp';
import type { BenchSystem } from './systems';

/** Where the bench finds RabbitMQ, Redis and NATS. */
export interface BenchServers {
  amqpUrl: string;
  redisUrl: string;
  natsUrl: string;
  /** Stops the servers this run started (if no test run uses them meanwhile). */
  release(): Promise<void>;
}

/**
 * RabbitMQ at `AMQP_URL`, Redis at `REDIS_URL` and NATS with JetStream at `NATS_URL` (the test defaults on
 * localhost): used if they answer, else started by the test infrastructure's starter (`nats-server -js` for
 * NATS, its store in a folder of its own), which the bench then stops; servers it did not start are left alone.
 */
export async function acquireServers(): Promise<BenchServers> {
  const config = resolveInfraConfig(process.env, []);
  await acquireTestServers(config);
  return {
    amqpUrl: config.amqpUrl,
    redisUrl: config.redisUrl,
    natsUrl: config.natsUrl,
    release: () => releaseTestServers(config),
  };
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
  /** The NATS server's version, and its JetStream store as it reports it. */
  nats: string;
  natsJetStream: string;
  /** The installed BullMQ's version (the BullMQ flows system). */
  bullmq: string;
  /** The library measured: its commit, and whether libs/saga had uncommitted changes. */
  library: string;
}

export async function describeMachine(servers: BenchServers): Promise<MachineInfo> {
  const amqp = await connectAmqp(servers.amqpUrl);
  const rabbitmq = String(amqp.connection.serverProperties.version ?? '?');
  await amqp.close();
  const { nats, natsJetStream } = await describeNats(servers.natsUrl);
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
      nats,
      natsJetStream,
      bullmq: bullmqVersion(),
      library: librarySnapshot(),
    };
  } finally {
    redis.disconnect();
  }
}

async function describeNats(url: string): Promise<{ nats: string; natsJetStream: string }> {
  const nc = await connectNats({ servers: url, name: 'dta-bench', timeout: 5000 });
  try {
    const version = nc.info?.version ?? '?';
    if (!nc.info?.jetstream) return { nats: version, natsJetStream: 'JetStream not enabled' };
    const jsm = await jetstreamManager(nc);
    const { limits } = await jsm.getAccountInfo();
    const max = (bytes: number): string => (bytes < 0 ? 'unlimited' : `${fixed(bytes / 1024 ** 3)} GB`);
    return {
      nats: version,
      natsJetStream: `JetStream; account limits: file ${max(limits.max_storage)}, memory ${max(limits.max_memory)}`,
    };
  } finally {
    await nc.close();
  }
}

const fixed = (value: number): string => value.toFixed(1);

function bullmqVersion(): string {
  try {
    const file = join(__dirname, '..', 'node_modules', 'bullmq', 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return 'not installed';
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
 * Deletes the queues and exchanges a system's processes declared, its JetStream streams (on NATS: the
 * three streams of its prefix, with their consumers) and its Redis keys (`<prefix>:*`). Idempotent; one
 * failure does not keep the rest from being deleted.
 */
export async function deleteSystemResources(servers: BenchServers, system: BenchSystem): Promise<void> {
  const failures: string[] = [];
  await deleteRabbitMqResources(servers.amqpUrl, system, failures);
  if (system.broker === 'nats') await deleteNatsStreams(servers.natsUrl, system.prefix, failures);
  await deleteRedisKeys(servers.redisUrl, `${system.prefix}:*`);
  if (failures.length > 0) throw new Error(`some deletes failed: ${failures.join('; ')}`);
}

async function deleteRabbitMqResources(url: string, system: BenchSystem, failures: string[]): Promise<void> {
  const { queues, exchanges } = system.declared;
  if (queues.size === 0 && exchanges.size === 0) return;
  const amqp = await connectAmqp(url);
  try {
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
}

/** The names of the streams of a DTA prefix on NATS, as `NatsTransport` derives them. */
export function natsStreamNames(prefix: string): string[] {
  const { queuesStream, resultsStream, eventsStream } = new NatsTransport({ prefix }).streams;
  return [queuesStream, resultsStream, eventsStream];
}

async function deleteNatsStreams(url: string, prefix: string, failures: string[]): Promise<void> {
  const nc = await connectNats({ servers: url, name: 'dta-bench-cleanup', timeout: 5000 });
  try {
    const jsm = await jetstreamManager(nc);
    for (const stream of natsStreamNames(prefix)) {
      try {
        await jsm.streams.delete(stream);
      } catch (error) {
        const missing = error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
        if (!missing)
          failures.push(`stream ${stream}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    await nc.close();
  }
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

/** The keys matching `pattern` and the memory Redis holds for them (`MEMORY USAGE`, every element counted). */
export async function storedBytes(url: string, pattern: string): Promise<{ keys: number; bytes: number }> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    let keys = 0;
    let bytes = 0;
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      const usage = await Promise.all(found.map((key) => redis.memory('USAGE', key, 'SAMPLES', 0)));
      keys += found.length;
      bytes += usage.reduce<number>((sum, used) => sum + (used ?? 0), 0);
      cursor = next;
    } while (cursor !== '0');
    return { keys, bytes };
  } finally {
    redis.disconnect();
  }
}

/**
 * CPU time (ms) the servers used since they started (Redis by INFO, RabbitMQ and NATS from /proc when they
 * run here), and the whole machine's busy time (Linux), to tell how much other programs took meanwhile.
 */
export interface ServerCpu {
  redis: number;
  rabbitmq?: number;
  nats?: number;
  machine?: number;
}

export async function serverCpu(servers: BenchServers): Promise<ServerCpu> {
  const redis = new Redis(servers.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const info = await redis.info('cpu');
    const seconds = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    const rabbitmq = rabbitMqCpuMs();
    const nats = natsCpuMs(servers.natsUrl);
    const machine = machineBusyMs();
    return {
      redis: (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000,
      ...(rabbitmq === undefined ? {} : { rabbitmq }),
      ...(nats === undefined ? {} : { nats }),
      ...(machine === undefined ? {} : { machine }),
    };
  } finally {
    redis.disconnect();
  }
}

/** Pids of the running processes whose command line `matches`, on Linux; undefined elsewhere. */
function processes(matches: (cmdline: string) => boolean): string[] | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  return pids.filter((pid) => {
    try {
      return matches(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      return false; // ended meanwhile
    }
  });
}

/** User + system time (ms) of processes, from /proc; undefined if none could be read. */
function cpuMsOf(pids: readonly string[]): number | undefined {
  let ticks: number | undefined;
  for (const pid of pids) {
    try {
      // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks = (ticks ?? 0) + Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks === undefined ? undefined : ticks * 10; // USER_HZ is 100 on Linux
}

/** User + system time of local RabbitMQ nodes (`beam.smp ... rabbit`), on Linux; undefined elsewhere. */
function rabbitMqCpuMs(): number | undefined {
  const pids = processes((cmdline) => cmdline.includes('beam.smp') && cmdline.includes('rabbit'));
  return pids && cpuMsOf(pids);
}

/**
 * User + system time of the local `nats-server` at `url`, on Linux; undefined elsewhere or when it does not
 * run here: the nats-server process that listens on the URL's port.
 */
function natsCpuMs(url: string): number | undefined {
  const pids = processes((cmdline) => cmdline.split('\0')[0].endsWith('nats-server'));
  if (!pids || pids.length === 0) return undefined;
  const port = Number(new URL(url).port || 4222);
  const listening = listeningSocketInodes(port);
  const ours = pids.filter((pid) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => {
        const inode = /^socket:\[(\d+)\]$/.exec(safeReadlink(`/proc/${pid}/fd/${fd}`))?.[1];
        return inode !== undefined && listening.has(inode);
      });
    } catch {
      return false;
    }
  });
  if (ours.length > 0) return cpuMsOf(ours);
  // Its sockets unreadable (another user's process): the only one here, if the URL is on this machine.
  return pids.length === 1 && isLocalUrl(new URL(url)) ? cpuMsOf(pids) : undefined;
}

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

/** Inodes of the TCP sockets listening on `port` (IPv4 and IPv6), from /proc/net. */
function listeningSocketInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let lines: string[];
    try {
      lines = readFileSync(table, 'utf8').split('\n').slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue; // 0A: LISTEN
      if (fields[1].split(':')[1] === hexPort) inodes.add(fields[9]);
    }
  }
  return inodes;
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
