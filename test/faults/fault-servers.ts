import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  restartRabbitMqApp,
  startRabbitMq,
  stopRabbitMq,
  type StartedRabbitMq,
} from '../infra/rabbitmq-test-server';
import { killRedis, startRedis, stopRedis, type StartedRedis } from '../infra/redis-test-server';
import { probeAmqp, probeRedis } from '../infra/service-probe';

/** Ports of the suite's own servers; never the shared 5672 / 6379 that other test runs use. */
export interface FaultServerPorts {
  amqp: number;
  redis: number;
}

const BROKER_TIMEOUT_MS = 120_000;

/**
 * A RabbitMQ node and a Redis (append-only file, fsync every second) of the fault suite alone: their own
 * node name, ports and data folders under `<tmpdir>/dta-faults-<amqp port>`, not recorded in the shared test
 * infra registry, so that killing and restarting them disturbs nobody. Stopped (and their folders removed)
 * by {@link stop}.
 */
export class FaultServers {
  private rabbitMq?: StartedRabbitMq;
  private redis?: StartedRedis;

  private constructor(
    readonly ports: FaultServerPorts,
    private readonly stateDir: string,
  ) {}

  /** Starts both; refuses ports where something already answers (a server that is not ours). */
  static async start(ports: FaultServerPorts): Promise<FaultServers> {
    if ((await probeAmqp('127.0.0.1', ports.amqp)) === 'ready') {
      throw new Error(`something already answers AMQP on port ${ports.amqp}: set DTA_FAULTS_AMQP_PORT`);
    }
    if ((await probeRedis('127.0.0.1', ports.redis)) === 'ready') {
      throw new Error(`something already answers Redis on port ${ports.redis}: set DTA_FAULTS_REDIS_PORT`);
    }
    const stateDir = join(tmpdir(), `dta-faults-${ports.amqp}`);
    mkdirSync(stateDir, { recursive: true });
    const servers = new FaultServers(ports, stateDir);
    try {
      [servers.redis, servers.rabbitMq] = await Promise.all([
        startRedis(ports.redis, stateDir),
        startRabbitMq(ports.amqp, stateDir, BROKER_TIMEOUT_MS),
      ]);
    } catch (error) {
      await servers.stop();
      throw error;
    }
    return servers;
  }

  get amqpUrl(): string {
    return `amqp://guest:guest@127.0.0.1:${this.ports.amqp}`;
  }

  get redisUrl(): string {
    return `redis://127.0.0.1:${this.ports.redis}`;
  }

  /** `rabbitmqctl stop_app` + `start_app`: every connection drops, durable state comes back from disk. */
  async restartRabbitMq(): Promise<void> {
    await restartRabbitMqApp(this.started(this.rabbitMq, 'RabbitMQ'), BROKER_TIMEOUT_MS);
  }

  /** `kill -9` of Redis, `downMs` without it, then a start on its append-only file. */
  async crashRedis(downMs: number): Promise<void> {
    await killRedis(this.started(this.redis, 'Redis'));
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.redis = await startRedis(this.ports.redis, this.stateDir, { keepData: true });
  }

  async stop(): Promise<void> {
    const stops: Promise<void>[] = [];
    if (this.redis) stops.push(stopRedis(this.redis));
    if (this.rabbitMq) stops.push(stopRabbitMq(this.rabbitMq));
    this.redis = this.rabbitMq = undefined;
    try {
      await Promise.all(stops);
    } finally {
      rmSync(this.stateDir, { recursive: true, force: true });
    }
  }

  private started<T>(server: T | undefined, label: string): T {
    if (!server) throw new Error(`the fault suite's ${label} is not running`);
    return server;
  }
}
