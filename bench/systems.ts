import type { Declared } from './ipc';

/** The three processes of each system. */
export const ROLES = ['orchestrator', 'worker', 'driver'] as const;
export type Role = (typeof ROLES)[number];

/** The systems `BENCH_SYSTEMS` names, in the order they run. */
export const SYSTEM_IDS = ['ceiling', 'dta', 'dta-x2', 'dta-nats', 'bullmq'] as const;
export type SystemId = (typeof SYSTEM_IDS)[number];

/** The broker a system's messages go through; `redis` for BullMQ, which has none (its queues are Redis keys). */
export type Broker = 'rabbitmq' | 'nats' | 'redis';

/** One system under test: its three processes, and what they left in the broker and Redis. */
export interface BenchSystem {
  /**
   * In logs, file names and results: `DTA` (on RabbitMQ), `DTA-x2` (the same with two orchestrator replicas),
   * `DTA-NATS`, `ceiling` or `BullMQ`.
   */
  name: 'DTA' | 'DTA-x2' | 'DTA-NATS' | 'ceiling' | 'BullMQ';
  /** DTA (the library, whichever transport), the hand-written ceiling, or BullMQ flows (the peer). */
  kind: 'dta' | 'ceiling' | 'peer';
  broker: Broker;
  /** Prefix of its queues, exchanges or streams and Redis keys (`<prefix>:*`); unique to the run. */
  prefix: string;
  /** TypeScript source of each process. */
  scripts: Record<Role, string>;
  /** Orchestrator processes, all on the same flow, queues and store (replicas); one worker and one driver. */
  orchestrators: number;
  /** Queues and exchanges its processes declared on RabbitMQ (recorded by them), deleted after the run. */
  declared: { queues: Set<string>; exchanges: Set<string> };
}

/** Column headings of the report. */
export const SYSTEM_LABELS: Record<BenchSystem['name'], string> = {
  DTA: 'DTA (RabbitMQ)',
  'DTA-x2': 'DTA (RabbitMQ), 2 orchestrators',
  'DTA-NATS': 'DTA (NATS)',
  ceiling: 'ceiling',
  BullMQ: 'BullMQ flows',
};

const DTA_SCRIPTS: Record<Role, string> = {
  orchestrator: 'bench/dta/orchestrator.process.ts',
  worker: 'bench/dta/worker.process.ts',
  driver: 'bench/dta/driver.process.ts',
};

function system(
  name: BenchSystem['name'],
  broker: Broker,
  prefix: string,
  scripts: Record<Role, string>,
  orchestrators = 1,
): BenchSystem {
  const kind = name === 'ceiling' ? 'ceiling' : name === 'BullMQ' ? 'peer' : 'dta';
  const declared = { queues: new Set<string>(), exchanges: new Set<string>() };
  return { name, kind, broker, prefix, scripts, orchestrators, declared };
}

/** DTA on RabbitMQ + Redis. */
export function dtaSystem(runPrefix: string): BenchSystem {
  return system('DTA', 'rabbitmq', `${runPrefix}-dta`, DTA_SCRIPTS);
}

/** DTA on RabbitMQ + Redis with two orchestrator replicas on the same box: one worker, one driver. */
export function dtaReplicasSystem(runPrefix: string): BenchSystem {
  return system('DTA-x2', 'rabbitmq', `${runPrefix}-dtax2`, DTA_SCRIPTS, 2);
}

/** DTA on RabbitMQ + Redis running the generated flow of the scaling table (bench/scaling), under `prefix`. */
export function dtaScalingSystem(prefix: string): BenchSystem {
  return system('DTA', 'rabbitmq', prefix, {
    orchestrator: 'bench/scaling/orchestrator.process.ts',
    worker: 'bench/scaling/worker.process.ts',
    driver: 'bench/scaling/driver.process.ts',
  });
}

/** The same DTA processes on NATS JetStream + Redis (`transport: 'nats'`). */
export function dtaNatsSystem(runPrefix: string): BenchSystem {
  return system('DTA-NATS', 'nats', `${runPrefix}-dtanats`, DTA_SCRIPTS);
}

export function ceilingSystem(runPrefix: string): BenchSystem {
  return system('ceiling', 'rabbitmq', `${runPrefix}-ceiling`, {
    orchestrator: 'bench/ceiling/orchestrator.ts',
    worker: 'bench/ceiling/worker.ts',
    driver: 'bench/ceiling/driver.ts',
  });
}

/** BullMQ flows on the same Redis (no broker): the peer a team would pick instead of DTA. */
export function bullmqSystem(runPrefix: string): BenchSystem {
  return system('BullMQ', 'redis', `${runPrefix}-bullmq`, {
    orchestrator: 'bench/bullmq/orchestrator.ts',
    worker: 'bench/bullmq/worker.ts',
    driver: 'bench/bullmq/driver.ts',
  });
}

/** The system `id` names, under the run's prefix. */
export function benchSystem(id: SystemId, runPrefix: string): BenchSystem {
  switch (id) {
    case 'ceiling':
      return ceilingSystem(runPrefix);
    case 'dta':
      return dtaSystem(runPrefix);
    case 'dta-x2':
      return dtaReplicasSystem(runPrefix);
    case 'dta-nats':
      return dtaNatsSystem(runPrefix);
    case 'bullmq':
      return bullmqSystem(runPrefix);
  }
}

/** Adds what a child reported; names outside the system's prefix are never recorded (nor deleted). */
export function recordDeclared(system: BenchSystem, declared: Declared): void {
  const ours = (name: string): boolean => name.startsWith(`${system.prefix}.`);
  for (const queue of declared.queues.filter(ours)) system.declared.queues.add(queue);
  for (const exchange of declared.exchanges.filter(ours)) system.declared.exchanges.add(exchange);
}
