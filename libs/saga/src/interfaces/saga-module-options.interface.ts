import type { BarrierStore } from '../barrier/barrier-store.interface';
import type { SagaContract, TaskTimingOptions } from '../definition/saga-contract';
import type { SagaStoreName, SagaTransportName } from '../saga.adapters';
import type { SagaStore } from '../store/saga-store.interface';
import type { SagaTransport } from '../transport/saga-transport.interface';

/** Options of `SagaModule.forRoot` / `forRootAsync`. Every field is optional. */
export interface SagaModuleOptions {
  /**
   * Message transport: `'memory'` (in-process, for one-process apps and tests), `'rabbitmq'`, `'nats'` (NATS
   * JetStream), or any `SagaTransport` instance (e.g. `new RabbitMqTransport({ url, quorumQueues: true })`, from
   * `@dta/saga/rabbitmq`); the module closes only a transport it built from a name.
   * @default 'memory'
   */
  transport?: SagaTransportName | SagaTransport;
  /**
   * The application is the whole system (see `transport: 'memory'`): bootstrap fails (`UnhostedTaskError`,
   * `UnorchestratedFlowError`) when a task of a flow orchestrated here has no `@Task` handler here or a `@Task`
   * handler's flow has no `@Saga` class here, and `SagaClient` refuses flows not orchestrated here, instead of
   * sagas that wait for a process that cannot exist.
   * @default true with `transport: 'memory'` by name, false otherwise (a `MemoryTransport` instance may be
   * shared by several apps of one process; `SagaTestingModule` sets it)
   */
  oneProcess?: boolean;
  /**
   * State store: `'memory'`, `'redis'` (one Redis at `redisUrl`), `'redis-cluster'` (a Redis Cluster through
   * `redisClusterNodes`), or any `SagaStore` instance (e.g. `new RedisSagaStore({ url, shards: 64 })`).
   * @default 'memory'
   */
  store?: SagaStoreName | SagaStore;
  /**
   * Timings applied over every task of every flow orchestrated here (`timeout`, `deadline`, `attempts`,
   * `backoff`, `compensationHorizon`), so that a test need not wait for production ones, e.g.
   * `{ backoff: { delay: '1ms' }, compensationHorizon: '100ms' }`. Meant for tests (`SagaTestingModule`).
   * @default none: each task's contract options
   */
  overrideTaskOptions?: TaskTimingOptions;
  /** RabbitMQ URL when `transport` is `'rabbitmq'`. @default 'amqp://guest:guest@localhost:5672' */
  amqpUrl?: string;
  /**
   * RabbitMQ only: declare every queue as a quorum queue (replicated over a RabbitMQ cluster). A queue keeps the
   * type it was first declared with, so an existing deployment needs its queues deleted or migrated first.
   * @default false
   */
  quorumQueues?: boolean;
  /** NATS server URL (JetStream enabled) when `transport` is `'nats'`. @default 'nats://localhost:4222' */
  natsUrl?: string;
  /** Redis URL when `store` is `'redis'`. @default 'redis://localhost:6379' */
  redisUrl?: string;
  /**
   * Nodes of the Redis Cluster when `store` is `'redis-cluster'`: `host:port` or `redis://[:password@]host:port`
   * (credentials of the first one used for every node); a few are enough, the client discovers the others.
   * @default ['localhost:6379']
   */
  redisClusterNodes?: string[];
  /** Prefix of every queue, exchange and Redis key. @default 'dta' */
  prefix?: string;
  /** Flows this application may start or inspect without hosting their `@Saga` class (a gateway). @default [] */
  contracts?: SagaContract[];
  /** Run the aggregators of the `@Saga` classes found in this application. @default true */
  orchestrate?: boolean;
  /** Run the `@Task` / `@Compensate` handlers found in this application. @default true */
  workers?: boolean;
  /** How many messages one consumer holds unacknowledged. @default 32 */
  prefetch?: number;
  /** Throttled mode: how many throttled sagas of a flow one orchestrator runs at once. @default 10 */
  maxConcurrent?: number;
  /** How long a finished saga stays readable. @default 86_400_000 (24 h) */
  retentionMs?: number;
  /** How often due timers (retry backoffs, deadlines) and unpublished commands are swept. @default 100 */
  sweepIntervalMs?: number;
  /** How long `SagaClient.run` waits for a terminal state before it throws `SagaWaitExceededError`. @default 30_000 */
  waitMs?: number;
  /**
   * Deliveries of one message whose handler failed before it goes to the dead-letter queue with the last error
   * and the count; `0`: no limit. A handler that runs long uses no delivery. Applies to the transport this module
   * creates (a `transport` instance has its own). @default 5
   */
  maxDeliveries?: number;
  /**
   * Largest message (UTF-8 bytes) a consumer hands to a handler; a larger one is dead-lettered unread.
   * Applies to the transport this module creates. @default 1_048_576 (1 MiB)
   */
  maxMessageBytes?: number;
  /**
   * Deepest nesting of objects and arrays a consumer hands to a handler; a deeper message is dead-lettered
   * unread. Applies to the transport this module creates. @default 100
   */
  maxMessageDepth?: number;
  /**
   * Backpressure: once this many starts of a flow wait for an orchestrator (its start and throttled queues),
   * `SagaClient` refuses new ones with `SagaOverloadedError` (HTTP 429, gRPC `RESOURCE_EXHAUSTED`). Read from the
   * broker at most once a second per flow, so the bound is approximate across instances; `0`: no bound.
   * @default 10_000
   */
  maxQueuedStarts?: number;
  /**
   * Where the task workers' barrier keeps its records: a service's own database, so that its handlers can
   * record a task inside their business transaction (`TaskRunContext.recordDoneWithin`; see `BarrierStore`).
   * @default the saga store
   */
  barrierStore?: BarrierStore;
  /** This instance's address for results. @default '<hostname>-<pid>-<random>' */
  instanceId?: string;
  /**
   * Host names a callback URL may name (async starts): exact names, `*.example.com` (any subdomain) or `*`
   * (any host). Empty: every `callbackUrl` is refused with `SagaInputError`. Non-empty requires `callbackSecret`.
   * @default []
   */
  callbackHosts?: string[];
  /**
   * Let callbacks reach loopback, link-local, private (RFC 1918, CGNAT), unique-local and other non-public
   * addresses; checked on the URL at start and on every resolved address at send time. @default false
   */
  callbackAllowPrivate?: boolean;
  /**
   * Key of the `x-dta-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` header of every
   * callback (verify with `verifyCallbackSignature`). Required when `callbackHosts` is not empty.
   * @default none
   */
  callbackSecret?: string;
  /** How long one callback POST may take (connect to end of the answer) before it counts as failed. @default 5_000 */
  callbackTimeoutMs?: number;
  /**
   * How DTA's log lines carry their saga: `text` appends `sagaId=… traceId=…`; `json` logs each line as an
   * object (`message`, `sagaId`, `traceId`, `flow`, `step`, `task`), which Nest's
   * `ConsoleLogger({ json: true })` and `nestjs-pino` write as fields. One format per process. @default 'text'
   */
  logFormat?: SagaLogFormat;
}

/** How DTA's log lines carry their saga: `text` (appended `sagaId=… traceId=…`) or `json` (fields). */
export type SagaLogFormat = 'text' | 'json';

/** Options with every default applied. */
export type ResolvedSagaModuleOptions = Required<
  Omit<SagaModuleOptions, 'instanceId' | 'barrierStore' | 'callbackSecret'>
> & {
  instanceId: string;
  barrierStore?: BarrierStore;
  callbackSecret?: string;
};
