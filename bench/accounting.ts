/** What a throughput run cost per saga: CPU by process, AMQP publishes and Redis commands. */
import type { ChildSample } from './children';
import type { ServerCpu } from './infra';
import { perUnit } from './stats';

/** What one process sent per saga in the throughput run (and the pause after it, when DTA's timers fire). */
export interface IoPerSaga {
  amqpPublishes: number;
  redisCommands: Record<string, number>;
}

/** CPU time (user + system, ms) per saga in the throughput run and the pause after it, by process. */
export interface CpuPerSaga {
  orchestrator: number;
  worker: number;
  driver: number;
  redis: number;
  /** When RabbitMQ runs on this machine (Linux). */
  rabbitmq?: number;
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
    redisCommands: perUnit(before.io.redisCommands, after.io.redisCommands, sagas),
  };
}

/** Counters of the three processes and the servers at one moment. */
export interface Snapshot {
  at: number;
  orchestrator: ChildSample;
  worker: ChildSample;
  driver: ChildSample;
  servers: ServerCpu;
}

/** CPU time per saga by process between two snapshots, and what other programs took meanwhile. */
export function cpuPerSaga(before: Snapshot, after: Snapshot, sagas: number): CpuPerSaga {
  const used = (pick: (s: Snapshot) => number | undefined): number | undefined => {
    const [from, to] = [pick(before), pick(after)];
    return from === undefined || to === undefined ? undefined : to - from;
  };
  const orchestrator = used((s) => s.orchestrator.cpuMs) ?? 0;
  const worker = used((s) => s.worker.cpuMs) ?? 0;
  const driver = used((s) => s.driver.cpuMs) ?? 0;
  const redis = used((s) => s.servers.redis) ?? 0;
  const rabbitmq = used((s) => s.servers.rabbitmq);
  const machine = used((s) => s.servers.machine);
  const ours = orchestrator + worker + driver + redis + (rabbitmq ?? 0);
  return {
    orchestrator: orchestrator / sagas,
    worker: worker / sagas,
    driver: driver / sagas,
    redis: redis / sagas,
    ...(rabbitmq === undefined ? {} : { rabbitmq: rabbitmq / sagas }),
    ...(machine === undefined ? {} : { otherCpus: Math.max(0, machine - ours) / (after.at - before.at) }),
  };
}
