import { elapsedSince, logInfra } from './infra-log';
import { isLocalUrl, type InfraConfig } from './infra-config';
import { withRegistry, type InfraRegistry, type StartedServer } from './infra-registry';
import { startNats, stopNats } from './nats-test-server';
import { startRabbitMq, stopRabbitMq } from './rabbitmq-test-server';
import {
  leftoverRedisCluster,
  probeRedisCluster,
  startRedisCluster,
  stopRedisCluster,
} from './redis-cluster-test-server';
import { startRedis, stopRedis } from './redis-test-server';
import { hostAndPort, probeAmqp, probeNats, probeRedis, type ProbeResult } from './service-probe';
import { TestInfraError } from './test-infra.error';

/** One server the tests need: how to find it, and how to start a local one. */
interface ServerNeed {
  kind: StartedServer['kind'];
  label: string;
  url: URL;
  host: string;
  port: number;
  probe: (host: string, port: number) => Promise<ProbeResult>;
  start: () => Promise<StartedServer>;
  /** A server that answers, that a test run started here and the registry forgot (see `leftoverRedisCluster`). */
  adopt?: () => StartedServer | undefined;
}

function serverNeeds(config: InfraConfig): ServerNeed[] {
  const redisUrl = new URL(config.redisUrl);
  const amqpUrl = new URL(config.amqpUrl);
  const redis = hostAndPort(redisUrl, 6379);
  const amqp = hostAndPort(amqpUrl, 5672);
  const natsUrl = new URL(config.natsUrl);
  const nats = hostAndPort(natsUrl, 4222);
  const clusterUrls = config.redisClusterNodes.map((node) => new URL(`redis://${node}`));
  const clusterNodes = clusterUrls.map((url) => hostAndPort(url, 6379));
  return [
    {
      kind: 'redis',
      label: 'Redis',
      url: redisUrl,
      ...redis,
      probe: probeRedis,
      start: () =>
        startRedis(redis.port, config.stateDir, {
          password: decodeURIComponent(redisUrl.password) || undefined,
        }),
    },
    {
      kind: 'redis-cluster',
      label: 'Redis Cluster',
      url: clusterUrls[0],
      ...clusterNodes[0],
      // Every node must say cluster_state:ok; a local cluster is started only when all its nodes are local.
      probe: () => probeRedisCluster(clusterNodes),
      adopt: () =>
        leftoverRedisCluster(
          clusterNodes.map(({ port }) => port),
          config.stateDir,
        ),
      start: () => {
        const remote = clusterUrls.find((url) => !isLocalUrl(url));
        if (remote) throw new TestInfraError(`Redis Cluster node ${remote.host} is not on this machine`);
        return startRedisCluster(
          clusterNodes.map(({ port }) => port),
          config.stateDir,
        );
      },
    },
    {
      kind: 'rabbitmq',
      label: 'RabbitMQ',
      url: amqpUrl,
      ...amqp,
      probe: probeAmqp,
      start: () => startRabbitMq(amqp.port, config.stateDir, config.startTimeoutMs),
    },
    {
      kind: 'nats',
      label: 'NATS',
      url: natsUrl,
      ...nats,
      probe: probeNats,
      start: () => startNats(nats.port, config.stateDir),
    },
  ];
}

/** Shown in logs without the password. */
function safeUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.password = copy.password ? '***' : '';
  return copy.href;
}

/**
 * Makes Redis, a Redis Cluster, RabbitMQ and NATS (with JetStream) reachable at the configured URLs: reachable servers are used and left alone;
 * missing local ones are started (and installed if need be) and recorded in the registry with a lease for
 * this process, which {@link releaseTestServers} gives back.
 */
export async function acquireTestServers(config: InfraConfig): Promise<void> {
  const started = Date.now();
  await withRegistry(config.stateDir, async (registry, save) => {
    try {
      for (const need of serverNeeds(config)) {
        await provide(need, registry, save);
      }
    } catch (error) {
      await releaseLease(registry, save, 'setup failed');
      throw error;
    }
  });
  logInfra(`servers ready in ${elapsedSince(started)}`);
}

async function provide(
  need: ServerNeed,
  registry: InfraRegistry,
  save: (registry: InfraRegistry) => void,
): Promise<void> {
  const key = `${need.kind}:${need.port}`;
  const probeStart = Date.now();
  const owned = registry.servers[key];
  if ((await need.probe(need.host, need.port)) === 'ready') {
    const leftover = owned ? undefined : need.adopt?.();
    if (owned) {
      lease(registry);
      save(registry);
      logInfra(`${need.label} at ${safeUrl(need.url)}: reusing the server another test run started`);
    } else if (leftover) {
      registry.servers[key] = leftover;
      lease(registry);
      save(registry);
      logInfra(
        `${need.label} at ${safeUrl(need.url)}: adopting the server an earlier test run started and forgot`,
      );
    } else {
      logInfra(
        `${need.label} at ${safeUrl(need.url)}: reachable (${elapsedSince(probeStart)}), leaving it alone`,
      );
    }
    return;
  }
  if (owned) {
    logInfra(`${need.label}: forgetting a recorded server on port ${need.port} that no longer answers`);
    delete registry.servers[key];
    save(registry);
  }
  if (!isLocalUrl(need.url)) {
    throw new TestInfraError(
      `${need.label} is not reachable at ${safeUrl(need.url)}, and it is not on this machine`,
    );
  }
  logInfra(`${need.label} not reachable at ${safeUrl(need.url)}: starting a local one`);
  const startedAt = Date.now();
  registry.servers[key] = await need.start();
  lease(registry);
  save(registry);
  logInfra(`${need.label} started on port ${need.port} in ${elapsedSince(startedAt)}`);
}

function lease(registry: InfraRegistry): void {
  if (!registry.leases.includes(process.pid)) {
    registry.leases.push(process.pid);
  }
}

/** Gives back this process's lease; the last run to leave stops every recorded server. */
export async function releaseTestServers(config: InfraConfig): Promise<void> {
  await withRegistry(config.stateDir, (registry, save) => releaseLease(registry, save, 'tests done'));
}

async function releaseLease(
  registry: InfraRegistry,
  save: (registry: InfraRegistry) => void,
  why: string,
): Promise<void> {
  if (!registry.leases.includes(process.pid)) {
    return;
  }
  registry.leases = registry.leases.filter((pid) => pid !== process.pid);
  save(registry);
  const servers = Object.entries(registry.servers);
  if (registry.leases.length > 0) {
    logInfra(
      `${why}: ${registry.leases.length} other test run(s) still use the servers, leaving them running`,
    );
    return;
  }
  for (const [key, server] of servers) {
    const stopStart = Date.now();
    await stopServer(server);
    delete registry.servers[key];
    save(registry);
    logInfra(`${why}: stopped the ${server.kind} server on port ${server.port} (${elapsedSince(stopStart)})`);
  }
}

function stopServer(server: StartedServer): Promise<void> {
  switch (server.kind) {
    case 'redis':
      return stopRedis(server);
    case 'redis-cluster':
      return stopRedisCluster(server);
    case 'rabbitmq':
      return stopRabbitMq(server);
    case 'nats':
      return stopNats(server);
  }
}
