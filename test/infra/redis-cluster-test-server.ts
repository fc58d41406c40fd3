import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

import { pollUntil, type ProbeResult } from './service-probe';
import { startRedis, stopRedis, type StartedRedis } from './redis-test-server';
import { ensureExecutables, findExecutable, runCommand } from './system-commands';
import { TestInfraError } from './test-infra.error';

/** A throw-away Redis Cluster a test run started: one master per node, no replicas. */
export interface StartedRedisCluster {
  kind: 'redis-cluster';
  /** The first node's port (the registry's key). */
  port: number;
  nodes: StartedRedis[];
}

const READY_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 1500;

/**
 * Starts one `redis-server --cluster-enabled yes` per port on the loopback interface (durable and `noeviction`,
 * as {@link startRedis} runs a single one), joins them with `redis-cli --cluster create --cluster-replicas 0` (the
 * slots split evenly over the masters) and waits until every node says `cluster_state:ok`. A failed start stops
 * the nodes it started.
 */
export async function startRedisCluster(
  ports: readonly number[],
  stateDir: string,
): Promise<StartedRedisCluster> {
  ensureExecutables(['redis-server', 'redis-cli']);
  const cluster: StartedRedisCluster = { kind: 'redis-cluster', port: ports[0], nodes: [] };
  try {
    for (const port of ports) cluster.nodes.push(await startRedis(port, stateDir, { clusterNode: true }));
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    const create = runCommand(
      findExecutable('redis-cli') ?? 'redis-cli',
      ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'],
      { timeoutMs: READY_TIMEOUT_MS },
    );
    if (create.status !== 0) {
      throw new TestInfraError(`redis-cli --cluster create ${nodes.join(' ')} failed`, create.output);
    }
    const ready = await pollUntil(
      async () => (await probeRedisCluster(ports.map((port) => ({ host: '127.0.0.1', port })))) === 'ready',
      READY_TIMEOUT_MS,
      100,
    );
    if (!ready.ok) {
      throw new TestInfraError(
        `Redis Cluster on ${nodes.join(', ')} did not reach cluster_state:ok: ${ready.reason}`,
      );
    }
    return cluster;
  } catch (error) {
    await stopRedisCluster(cluster).catch(() => undefined);
    throw error;
  }
}

/**
 * A cluster an earlier run started here and the registry no longer records, or undefined. A version of the test
 * infra that knows no cluster, finishing last, drops its record without stopping it; adopting it lets this run
 * stop it. It is ours if every node runs from the folder {@link startRedisCluster} gives it (its `nodes.conf`,
 * and its pid file naming a live `redis-server` on that port); any other cluster is left alone.
 */
export function leftoverRedisCluster(
  ports: readonly number[],
  stateDir: string,
): StartedRedisCluster | undefined {
  const nodes: StartedRedis[] = [];
  for (const port of ports) {
    const dir = join(stateDir, `redis-${port}`);
    const pidFile = join(dir, 'redis.pid');
    if (!existsSync(join(dir, 'nodes.conf')) || !existsSync(pidFile)) return undefined;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!isRedisServerOn(pid, port)) return undefined;
    nodes.push({ kind: 'redis', port, dir, pid });
  }
  return { kind: 'redis-cluster', port: ports[0], nodes };
}

/** Whether `pid` is a live redis-server on `port` (its process title names the address it listens on). */
function isRedisServerOn(pid: number, port: number): boolean {
  try {
    const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return title.includes('redis-server') && title.includes(`:${port}`);
  } catch {
    return false; // gone, or no /proc (not Linux): not adopted
  }
}

/** Shuts every node of a started cluster down without saving and removes their folders. */
export async function stopRedisCluster(cluster: StartedRedisCluster): Promise<void> {
  for (const node of cluster.nodes) await stopRedis(node);
}

/** `ready` when every node answers `CLUSTER INFO` with `cluster_state:ok` (a cluster that serves every slot). */
export async function probeRedisCluster(
  nodes: readonly { host: string; port: number }[],
): Promise<ProbeResult> {
  const states = await Promise.all(nodes.map(({ host, port }) => clusterStateOf(host, port)));
  return states.every((state) => state === 'ok') ? 'ready' : 'absent';
}

/** The `cluster_state` a node reports, or undefined when nothing (or no cluster node) answers there. */
function clusterStateOf(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let answer = '';
    const finish = (state: string | undefined) => {
      socket.destroy();
      resolve(state);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(undefined));
    socket.once('error', () => finish(undefined));
    socket.once('connect', () => socket.write('*2\r\n$7\r\nCLUSTER\r\n$4\r\nINFO\r\n'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (answer.startsWith('-')) finish(undefined);
      const state = /cluster_state:(\w+)/.exec(answer);
      if (state) finish(state[1]);
    });
  });
}
