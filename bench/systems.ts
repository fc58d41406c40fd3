import type { Declared } from './ipc';

/** The three processes of each system. */
export const ROLES = ['orchestrator', 'worker', 'driver'] as const;
export type Role = (typeof ROLES)[number];

/** One system under test: its three processes, and what they left in RabbitMQ and Redis. */
export interface BenchSystem {
  name: 'DTA' | 'ceiling';
  /** Prefix of its queues, exchanges and Redis keys (`<prefix>:*`); unique to the run. */
  prefix: string;
  /** TypeScript source of each process. */
  scripts: Record<Role, string>;
  /** Queues and exchanges its processes declared (recorded by them), deleted after the run. */
  declared: { queues: Set<string>; exchanges: Set<string> };
}

function system(name: BenchSystem['name'], prefix: string, scripts: Record<Role, string>): BenchSystem {
  return { name, prefix, scripts, declared: { queues: new Set(), exchanges: new Set() } };
}

export function dtaSystem(runPrefix: string): BenchSystem {
  return system('DTA', `${runPrefix}-dta`, {
    orchestrator: 'bench/dta/orchestrator.process.ts',
    worker: 'bench/dta/worker.process.ts',
    driver: 'bench/dta/driver.process.ts',
  });
}

export function ceilingSystem(runPrefix: string): BenchSystem {
  return system('ceiling', `${runPrefix}-ceiling`, {
    orchestrator: 'bench/ceiling/orchestrator.ts',
    worker: 'bench/ceiling/worker.ts',
    driver: 'bench/ceiling/driver.ts',
  });
}

/** Adds what a child reported; names outside the system's prefix are never recorded (nor deleted). */
export function recordDeclared(system: BenchSystem, declared: Declared): void {
  const ours = (name: string): boolean => name.startsWith(`${system.prefix}.`);
  for (const queue of declared.queues.filter(ours)) system.declared.queues.add(queue);
  for (const exchange of declared.exchanges.filter(ours)) system.declared.exchanges.add(exchange);
}
