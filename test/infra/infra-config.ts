import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the tests find their servers, and whether they need them at all. */
export interface InfraConfig {
  redisUrl: string;
  amqpUrl: string;
  natsUrl: string;
  /**
   * `host:port` of each master of the Redis Cluster the cluster suites run against (the test infra starts one
   * master per node, no replicas).
   * @default 127.0.0.1:7001, 127.0.0.1:7002, 127.0.0.1:7003 (env `REDIS_CLUSTER_NODES`, comma-separated)
   */
  redisClusterNodes: string[];
  /** Set when only unit tests run: nothing is probed or started. */
  skipReason?: string;
  /**
   * Machine-wide folder of the registry, locks, data and logs of the servers the test runs start. Servers
   * are machine-wide (they own ports), so runs from different clones share it.
   * @default `<tmpdir>/dta-test-infra` (env `DTA_TEST_INFRA_DIR`)
   */
  stateDir: string;
  /** How long a started server may take to accept connections. @default 90 s (env `DTA_INFRA_TIMEOUT_MS`) */
  startTimeoutMs: number;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_REDIS_CLUSTER_NODES = '127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003';

const PROJECTS_NEEDING_SERVERS = ['integration', 'e2e'];

/** Reads the configuration from the environment and the jest command line. */
export function resolveInfraConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): InfraConfig {
  return {
    redisUrl: env.REDIS_URL || DEFAULT_REDIS_URL,
    amqpUrl: env.AMQP_URL || DEFAULT_AMQP_URL,
    natsUrl: env.NATS_URL || DEFAULT_NATS_URL,
    redisClusterNodes: (env.REDIS_CLUSTER_NODES || DEFAULT_REDIS_CLUSTER_NODES)
      .split(',')
      .map((node) => node.trim())
      .filter(Boolean),
    skipReason: skipReason(env, argv),
    stateDir: env.DTA_TEST_INFRA_DIR || join(tmpdir(), 'dta-test-infra'),
    startTimeoutMs: Number(env.DTA_INFRA_TIMEOUT_MS) || 90_000,
  };
}

function skipReason(env: NodeJS.ProcessEnv, argv: readonly string[]): string | undefined {
  if (env.DTA_SKIP_INFRA === '1' || env.DTA_SKIP_INFRA === 'true') {
    return 'DTA_SKIP_INFRA is set';
  }
  const selected = selectedProjects(argv);
  if (selected && !selected.some((project) => PROJECTS_NEEDING_SERVERS.includes(project))) {
    return `only project(s) ${selected.join(', ')} selected`;
  }
  return undefined;
}

/** Values of `--selectProjects a b` or `--selectProjects=a`, or undefined when every project runs. */
function selectedProjects(argv: readonly string[]): string[] | undefined {
  let selected: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--selectProjects=')) {
      selected = [...(selected ?? []), arg.slice('--selectProjects='.length)];
    } else if (arg === '--selectProjects') {
      selected ??= [];
      while (i + 1 < argv.length && !argv[i + 1].startsWith('-')) {
        selected.push(argv[++i]);
      }
    }
  }
  return selected;
}

/** True when `url` names this machine, so a missing server may be started here. */
export function isLocalUrl(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(url.hostname);
}
