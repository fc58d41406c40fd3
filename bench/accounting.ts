/** What a throughput run cost per saga: CPU by process, publishes and Redis commands. */
import type { ChildSample } from './children';
import type { ServerCpu } from './infra';
import { perUnit } from './stats';
import type { Broker } from './systems';

/** What one process sent per saga in the throughput run (and the pause after it, when DTA's timers fire). */
export interface IoPerSaga {
  amqpPublishes: number;
  natsPublishes: number;
  redisCommands: Record<string, number>;
}

/** CPU time (user + system, ms) per saga in the throughput run and the pause after it, by process. */
export interface CpuPerSaga {
  orchestrator: number;
  worker: number;
  driver: number;
  redis: number;
  /** When the system is on RabbitMQ and it runs on this machine (Linux). */
  rabbitmq?: number;
  /** When the system is on NATS and its nats-server runs on this machine (Linux). */
  nats?: number;
  /**
   * CPUs' worth of time other programs took meanwhile (Linux): the machine's busy time less the above, over
   * the wall time. Above a few tenths, the run's sagas/s and latencies are not this system's alone.
   */
  otherCpus?: number;
}

/** Publishes and Redis commands one child sent between two of its samples, per saga. */
export function ioPerSaga(before: ChildSample, after: ChildSample, sagas: number): IoPerSaga {
  return {
    amqpPublishes: (after.io.amqpPublishes - before.io.amqpPublishes) / sagas,
    natsPublishes: (after.io.natsPublishes - before.io.natsPublishes) / sagas,
    redisCommands: perUnit(before.io.redisCommands, after.io.redisCommands, sagas),
  };
}

/** Several processes' samples (orchestrator replicas) as one: memory, CPU and I/O counts added up. */
export function combinedSample(samples: readonly ChildSample[]): ChildSample {
  const [first, ...rest] = samples;
  const sum = (a: Record<string, number>, b: Record<string, number>): Record<string, number> => {
    const out = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = (out[key] ?? 0) + value;
    return out;
  };
  return rest.reduce(
    (a, b) => ({
      at: Math.max(a.at, b.at),
      rss: a.rss + b.rss,
      heapUsed: a.heapUsed + b.heapUsed,
      cpuMs: a.cpuMs + b.cpuMs,
      io: {
        amqpPublishes: a.io.amqpPublishes + b.io.amqpPublishes,
        natsPublishes: a.io.natsPublishes + b.io.natsPublishes,
        redisCommands: sum(a.io.redisCommands, b.io.redisCommands),
        wireBytes: {
          rabbitmq: a.io.wireBytes.rabbitmq + b.io.wireBytes.rabbitmq,
          redis: a.io.wireBytes.redis + b.io.wireBytes.redis,
          nats: a.io.wireBytes.nats + b.io.wireBytes.nats,
        },
      },
    }),
    first,
  );
}

/** Counters of the three processes and the servers at one moment. */
export interface Snapshot {
  at: number;
  orchestrator: ChildSample;
  worker: ChildSample;
  driver: ChildSample;
  servers: ServerCpu;
}

/**
 * CPU time per saga by process between two snapshots, and what other programs took meanwhile. Of the
 * brokers, only the system's own counts: the other one's time (idle, or other users') is other programs'.
 */
/** CPU of every process and server the system used, per saga (or per task: whatever `cpu` is counted per). */
export function totalCpu(cpu: CpuPerSaga): number {
  return cpu.orchestrator + cpu.worker + cpu.driver + cpu.redis + (cpu.rabbitmq ?? 0) + (cpu.nats ?? 0);
}

export function cpuPerSaga(before: Snapshot, after: Snapshot, sagas: number, broker: Broker): CpuPerSaga {
  const used = (pick: (s: Snapshot) => number | undefined): number | undefined => {
    const [from, to] = [pick(before), pick(after)];
    return from === undefined || to === undefined ? undefined : to - from;
  };
  const orchestrator = used((s) => s.orchestrator.cpuMs) ?? 0;
  const worker = used((s) => s.worker.cpuMs) ?? 0;
  const driver = used((s) => s.driver.cpuMs) ?? 0;
  const redis = used((s) => s.servers.redis) ?? 0;
  const rabbitmq = broker === 'rabbitmq' ? used((s) => s.servers.rabbitmq) : undefined;
  const nats = broker === 'nats' ? used((s) => s.servers.nats) : undefined;
  const machine = used((s) => s.servers.machine);
  const ours = orchestrator + worker + driver + redis + (rabbitmq ?? 0) + (nats ?? 0);
  return {
    orchestrator: orchestrator / sagas,
    worker: worker / sagas,
    driver: driver / sagas,
    redis: redis / sagas,
    ...(rabbitmq === undefined ? {} : { rabbitmq: rabbitmq / sagas }),
    ...(nats === undefined ? {} : { nats: nats / sagas }),
    ...(machine === undefined ? {} : { otherCpus: Math.max(0, machine - ours) / (after.at - before.at) }),
  };
}
