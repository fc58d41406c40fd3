/** What one closed-loop load run measured (in the driver process). */
export interface LoadResult {
  n: number;
  c: number;
  elapsedMs: number;
  /** Start-to-result time of every saga, in the order they were started. */
  latenciesMs: number[];
  errors: number;
  firstError?: string;
}

/** The servers whose connections `instrumentChild` counts bytes of. */
export type WireServer = 'rabbitmq' | 'redis' | 'nats';

/**
 * I/O a child did since it started: AMQP and JetStream publishes, Redis commands by name, and bytes sent and
 * received on its connections to each server.
 */
export interface IoCounts {
  amqpPublishes: number;
  /** JetStream publishes (each stored by the server and acknowledged), in children on NATS. */
  natsPublishes: number;
  redisCommands: Record<string, number>;
  /** Bytes written plus bytes read on the TCP connections to each server (protocol framing included). */
  wireBytes: Record<WireServer, number>;
}

/** Queues and exchanges a child declared. */
export interface Declared {
  queues: string[];
  exchanges: string[];
}

/**
 * Which products the sagas of a load run book: `spread` over 100 products (throughput and latency runs),
 * or, through the real atomic stock counters, one product of its own per saga (`distinct`) or one product
 * for all (`one`).
 */
export type ProductMix = 'spread' | 'distinct' | 'one';

/** Parent -> child. */
export type ParentMessage =
  | { type: 'load'; n: number; c: number; products: ProductMix }
  | { type: 'profile-start' }
  | { type: 'profile-stop'; file: string }
  | { type: 'stop' };

/** Child -> parent. */
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'sample'; rss: number; heapUsed: number; cpuMs: number; io: IoCounts; declared: Declared }
  | { type: 'load-done'; result: LoadResult }
  | { type: 'profile-written'; file: string }
  | { type: 'failed'; message: string };
