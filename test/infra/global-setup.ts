import { resolveInfraConfig } from './infra-config';
import { logInfra } from './infra-log';
import { acquireTestServers } from './test-servers';

/**
 * Jest global setup (runs once, in the parent process): exports REDIS_URL, REDIS_CLUSTER_NODES, AMQP_URL and NATS_URL to the test
 * workers and makes sure the servers answer there, starting local ones when they do not. Skipped when only unit
 * tests run (`--selectProjects unit`, or `DTA_SKIP_INFRA=1`).
 */
export default async function globalSetup(): Promise<void> {
  const config = resolveInfraConfig(process.env, process.argv);
  process.env.REDIS_URL = config.redisUrl;
  process.env.AMQP_URL = config.amqpUrl;
  process.env.NATS_URL = config.natsUrl;
  process.env.REDIS_CLUSTER_NODES = config.redisClusterNodes.join(',');
  if (config.skipReason) {
    logInfra(`skipping servers: ${config.skipReason}`);
    return;
  }
  await acquireTestServers(config);
}
