/**
 * `npm run start:distributed`: every app of the booking system as its own process on RabbitMQ (`AMQP_URL`)
 * and Redis (`REDIS_URL`), with prefixed logs; Ctrl-C stops them all. `REPLICAS_<APP>=n` starts n replicas
 * of an app (gateway replicas listen on PORT+i and GRPC_PORT+i). Each other process serves `/health/ready`
 * on its own port from `HEALTH_PORT` (default 3100) up, in start order.
 */
import { connect } from 'node:net';
import { DistributedLauncher, replicasFromEnv } from './distributed-launcher';

function reachable(url: string, fallbackPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || fallbackPort) });
    const settle = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000);
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
    socket.once('timeout', () => settle(false));
  });
}

async function main(): Promise<void> {
  const amqpUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@localhost:5672';
  const redisUrl = process.env.REDIS_URL ?? 'redis://localhost:6379';
  for (const [what, url, port] of [
    ['RabbitMQ', amqpUrl, 5672],
    ['Redis', redisUrl, 6379],
  ] as const) {
    if (!(await reachable(url, port))) {
      console.error(
        `${what} is not reachable at ${url.replace(/\/\/[^@]*@/, '//***@')}. Start it (for instance ` +
          '`docker compose up -d rabbitmq redis`, or `rabbitmq-server -detached` and `redis-server --daemonize yes`), ' +
          'or set AMQP_URL / REDIS_URL.',
      );
      process.exit(1);
    }
  }
  const http = Number(process.env.PORT ?? 3000);
  const grpc = Number(process.env.GRPC_PORT ?? 10000);
  const health = Number(process.env.HEALTH_PORT ?? 3100);
  const launcher = new DistributedLauncher({
    replicas: replicasFromEnv(process.env),
    basePorts: { http, grpc },
    healthPorts: health,
    onExit: (p, code) => {
      console.error(`[${p.name}] exited with code ${code}; stopping the others`);
      void launcher.stop().then(() => process.exit(1));
    },
  });
  const processes = launcher.start();
  const healthPorts = processes.flatMap((p) => (p.healthPort ? [`${p.name} :${p.healthPort}`] : []));
  console.log(
    `started ${processes.map((p) => p.name).join(', ')}; REST on :${http}, gRPC on :${grpc}; ` +
      `/health/ready on ${healthPorts.join(', ')}. Ctrl-C stops them all.`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log('stopping...');
      void launcher.stop().then(() => process.exit(0));
    });
  }
}

void main();
