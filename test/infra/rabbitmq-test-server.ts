import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { isPortClosed, pollUntil, probeAmqp } from './service-probe';
import {
  ensureExecutables,
  findExecutable,
  isRoot,
  launchDaemon,
  runCommand,
  tailOf,
} from './system-commands';
import { TestInfraError } from './test-infra.error';

/**
 * A throw-away RabbitMQ node a test run started: its own node name, ports, database and logs in `dir`, so
 * it neither reads nor leaves state in the system node (`/var/lib/rabbitmq`), and never clashes with it.
 */
export interface StartedRabbitMq {
  kind: 'rabbitmq';
  port: number;
  node: string;
  dir: string;
  /** epmd (the Erlang port mapper) was not running before: stop it with the node if nothing else uses it. */
  stopEpmd: boolean;
}

/**
 * Starts a RabbitMQ node on `port` with `rabbitmq-server -detached` and waits until it answers the AMQP
 * handshake (5-15 s, up to `timeoutMs`). The Debian scripts run the node as the `rabbitmq` user, which
 * requires root; anyone else has to start a broker themselves.
 */
export async function startRabbitMq(
  port: number,
  stateDir: string,
  timeoutMs: number,
): Promise<StartedRabbitMq> {
  if (!isRoot()) {
    throw new TestInfraError(
      `No RabbitMQ at port ${port}, and only root can start one here (the Debian scripts switch to the ` +
        'rabbitmq user). Start one (sudo systemctl start rabbitmq-server, or ' +
        'docker run -d -p 5672:5672 rabbitmq:3), set AMQP_URL, or run only the unit tests: npm run test:unit',
    );
  }
  ensureExecutables(['rabbitmq-server', 'rabbitmqctl']);
  const node = `dta-test-${port}@localhost`;
  const dir = join(stateDir, `rabbitmq-${port}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  chmodSync(stateDir, 0o755); // the node runs as the rabbitmq user, which must reach its folder
  chownToRabbitMq(dir);
  const stopEpmd = !isEpmdRunning();
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(port + 20_000),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
  };
  const started: StartedRabbitMq = { kind: 'rabbitmq', port, node, dir, stopEpmd };
  const logFile = join(dir, 'log', `${node}.log`);
  launchDaemon(
    findExecutable('rabbitmq-server') ?? 'rabbitmq-server',
    ['-detached'],
    join(dir, 'launch.log'),
    env,
  );
  const ready = await pollUntil(
    async () => (await probeAmqp('127.0.0.1', port)) === 'ready',
    timeoutMs,
    500,
    () =>
      existsSync(logFile) && readFileSync(logFile, 'utf8').includes('BOOT FAILED')
        ? 'boot failed'
        : undefined,
  );
  if (!ready.ok) {
    const detail = `${tailOf(join(dir, 'launch.log'), 10)}\n${tailOf(logFile)}`;
    await stopRabbitMq(started).catch(() => undefined);
    throw new TestInfraError(`RabbitMQ node ${node} on port ${port} did not start: ${ready.reason}`, detail);
  }
  return started;
}

/** Stops a started node (`rabbitmqctl stop` waits for its pid to exit), then epmd if we started it. */
export async function stopRabbitMq(server: StartedRabbitMq): Promise<void> {
  const rabbitmqctl = findExecutable('rabbitmqctl') ?? 'rabbitmqctl';
  const stop = runCommand(rabbitmqctl, ['-n', server.node, 'stop', join(server.dir, 'rabbitmq.pid')], {
    timeoutMs: 60_000,
    cwd: '/',
  });
  const closed = await pollUntil(() => isPortClosed('127.0.0.1', server.port), 30_000, 250);
  if (!closed.ok) {
    throw new TestInfraError(`RabbitMQ node ${server.node} did not stop`, stop.output);
  }
  if (server.stopEpmd) {
    await stopIdleEpmd(server.node);
  }
  rmSync(server.dir, { recursive: true, force: true });
}

/**
 * Restarts the broker inside a started node (`rabbitmqctl stop_app`, then `start_app`): every connection
 * drops, durable queues and persistent messages come back from disk, transient ones are gone. Resolves once
 * it answers AMQP again.
 */
export async function restartRabbitMqApp(server: StartedRabbitMq, timeoutMs: number): Promise<void> {
  const rabbitmqctl = findExecutable('rabbitmqctl') ?? 'rabbitmqctl';
  for (const command of ['stop_app', 'start_app']) {
    const result = runCommand(rabbitmqctl, ['-n', server.node, command], { timeoutMs, cwd: '/' });
    if (result.status !== 0) {
      throw new TestInfraError(`rabbitmqctl ${command} of ${server.node} failed`, result.output);
    }
  }
  const ready = await pollUntil(
    async () => (await probeAmqp('127.0.0.1', server.port)) === 'ready',
    timeoutMs,
    250,
  );
  if (!ready.ok) throw new TestInfraError(`RabbitMQ node ${server.node} did not come back: ${ready.reason}`);
}

function chownToRabbitMq(dir: string): void {
  const id = runCommand('id', ['-u', 'rabbitmq']);
  const gid = runCommand('id', ['-g', 'rabbitmq']);
  if (id.status === 0 && gid.status === 0) {
    chownSync(dir, Number(id.output.trim()), Number(gid.output.trim()));
  }
}

function epmd(args: string[]) {
  return runCommand(findExecutable('epmd') ?? 'epmd', args, { timeoutMs: 10_000 });
}

function isEpmdRunning(): boolean {
  return epmd(['-names']).status === 0;
}

/** `epmd -kill` once our node has unregistered, unless other Erlang nodes still use it. */
async function stopIdleEpmd(node: string): Promise<void> {
  const ours = new RegExp(`^name ${node.split('@')[0]} `, 'm');
  const unregistered = await pollUntil(async () => !ours.test(epmd(['-names']).output), 10_000, 200);
  const names = epmd(['-names']);
  if (unregistered.ok && names.status === 0 && !/^name /m.test(names.output)) {
    epmd(['-kill']);
  }
}
