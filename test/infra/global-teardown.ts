import { resolveInfraConfig } from './infra-config';
import { releaseTestServers } from './test-servers';

/** Jest global teardown: stops the servers global setup started, once no other test run uses them. */
export default async function globalTeardown(): Promise<void> {
  const config = resolveInfraConfig(process.env, process.argv);
  if (config.skipReason) {
    return;
  }
  await releaseTestServers(config);
}
