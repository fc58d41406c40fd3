import type { Declared } from './ipc';

/** The three processes of each system. */
export const ROLES = ['orchestrator', 'worker', 'driver'] as const;
export type Role = (typeof ROLES)[number];

/** The systems `BENCH_SYSTEMS` names, in the order they run. */
export const SYSTEM_IDS = ['ceiling', 'dta', 'dta-nats'] as const;
export type SystemId = (typeof SYSTEM_IDS)[number];

/** The broker a system's messages go through. */
export type Broker = 'rabbitmq' | 'nats';

/** One system under test: its three processes, and what they left in the broker and Redis. */
export interface BenchSystem {
  /** In logs, file names and results: `DTA` (on RabbitMQ), `DTA-NATS` or `ceiling`. */
  name: 'DTA' | 'DTA-NATS' | 'ceiling';
  /** DTA (the library, whichever transport) or the hand-written ceiling. */
  kind: 'dta' | 'ceiling';
  broker: Broker;
  /** Prefix of its queues, exchanges or streams and Redis keys (`<prefix>:*`); unique to the run. */
  prefix: string;
  /** TypeScript source of each process. */
  scripts: Record<Role, string>;
  /** Queues and exchanges its processes declared on RabbitMQ (recorded by them), deleted after the run. */
  declared: { queues: Set<string>; exchanges: Set<string> };
}

/** Column headings of the report. */
export const SYSTEM_LABELS: Record<BenchSystem['name'], string> = {
  DTA: 'DTA (RabbitMQ)',
  'DTA-NATS': 'DTA (NATS)',
  ceiling: 'ceiling',
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
): BenchSystem {
  const kind = name === 'ceiling' ? 'ceiling' : 'dta';
  return { name, kind, broker, prefix, scripts, declared: { queues: new Set(), exchanges: new Set() } };
}

/** DTA on RabbitMQ + Redis. */
export function dtaSystem(runPrefix: string): BenchSystem {
  return system('DTA', 'rabbitmq', `${runPrefix}-dta`, DTA_SCRIPTS);
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

/** The system `id` names, under the run's prefix. */
export function benchSystem(id: SystemId, runPrefix: string): BenchSystem {
  switch (id) {
    case 'ceiling':
      return ceilingSystem(runPrefix);
    case 'dta':
      return dtaSystem(runPrefix);
    case 'dta-nats':
      return dtaNatsSystem(runPrefix);
  }
}

/** Adds what a child reported; names outside the system's prefix are never recorded (nor deleted). */
export function recordDeclared(system: BenchSystem, declared: Declared): void {
  const ours = (name: string): boolean => name.startsWith(`${system.prefix}.`);
  for (const queue of declared.queues.filter(ours)) system.declared.queues.add(queue);
  for (const exchange of declared.exchanges.filter(ours)) system.declared.exchanges.add(exchange);
}
