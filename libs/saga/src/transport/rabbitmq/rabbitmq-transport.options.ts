import type { LoggerService } from '@nestjs/common';
import type { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { type DeliveryLimits, resolveDeliveryLimits } from '../message-delivery';

/** Settings of {@link RabbitMqTransport} that apply whoever owns the connection. */
export interface RabbitMqTransportSettings extends DeliveryLimits {
  /**
   * Prefix of every queue and exchange name (see `SagaTopology`).
   * @default 'dta'
   */
  prefix?: string;
  /**
   * Unacknowledged messages one consumer holds at once, unless its `consume*` call says otherwise.
   * @default 32
   */
  prefetch?: number;
  /**
   * Declare queues as quorum queues (replicated; for a RabbitMQ cluster). Queues keep the type they were first
   * declared with: switching an existing deployment needs the queues deleted or migrated.
   * @default false
   */
  quorumQueues?: boolean;
  /**
   * How long a caller instance's result queue (`dta.results.<instance>`) survives without a consumer
   * (RabbitMQ `x-expires`), so queues of dead instances go away while a brief reconnect loses nothing.
   * @default 600000 (10 minutes)
   */
  instanceQueueExpiresMs?: number;
  /**
   * How long a reply waits in the queue of the orchestrator replica that sent its command
   * (`dta.<flow>.replies.<instance>`) before it moves to the flow's shared reply queue, where any replica takes
   * it: what a reply to a replica that died waits. Replies going back to their replica let one replica see
   * every event of its sagas, so its state cache answers and replicas do not race for a saga. 0: every reply
   * goes to the shared queue. Less than `instanceQueueExpiresMs`. It is an argument of the replica's queue:
   * changing it for an instance id whose queue exists needs that queue deleted first (RabbitMQ refuses to
   * declare it anew), as for `instanceQueueExpiresMs`.
   * @default 5000
   */
  replyAffinityMs?: number;
  /**
   * Pause before a message whose handler threw (anything but `InvalidMessageError`) is published again.
   * @default 1000
   */
  redeliveryDelayMs?: number;
  /**
   * How long a `send*` waits for the broker to confirm, across reconnects, before it rejects.
   * @default 10000
   */
  publishTimeoutMs?: number;
  /** Where connection and consumer trouble is logged. @default a Nest `Logger` named `RabbitMqTransport` */
  logger?: LoggerService;
}

/** Options of a {@link RabbitMqTransport} that opens (and closes) its own connection. */
export interface RabbitMqTransportConnectOptions extends RabbitMqTransportSettings {
  /** AMQP URL, e.g. `amqp://guest:guest@localhost:5672`. */
  url: string;
  /**
   * Name of the connection, shown by `rabbitmqctl list_connections client_properties` and the management UI.
   * @default 'dta'
   */
  connectionName?: string;
  /**
   * Pause between reconnection attempts.
   * @default 1000
   */
  reconnectDelayMs?: number;
  /**
   * AMQP heartbeat: a dead broker or network is noticed after about twice this.
   * @default 5
   */
  heartbeatSeconds?: number;
  /**
   * How long `init()` waits for the first connection before it rejects.
   * @default 5000
   */
  connectTimeoutMs?: number;
}

/**
 * Options of a {@link RabbitMqTransport} on a connection someone else opened and will close (for instance the
 * one of `RabbitMQModule`). Give that connection `connectionManagerOptions.connectionOptions.noDelay: true`.
 */
export interface RabbitMqTransportSharedOptions extends RabbitMqTransportSettings {
  connection: AmqpConnection;
}

/** Either a URL to connect to, or a ready golevelup `AmqpConnection`. */
export type RabbitMqTransportOptions = RabbitMqTransportConnectOptions | RabbitMqTransportSharedOptions;

/** The settings with every default applied. */
export type ResolvedRabbitMqTransportSettings = Required<Omit<RabbitMqTransportSettings, 'logger'>>;

/** Applies the defaults documented on {@link RabbitMqTransportSettings}, in one place. */
export function resolveRabbitMqTransportSettings(
  options: RabbitMqTransportSettings,
): ResolvedRabbitMqTransportSettings {
  const instanceQueueExpiresMs = options.instanceQueueExpiresMs ?? 600_000;
  const replyAffinityMs = options.replyAffinityMs ?? 5000;
  if (
    !Number.isInteger(replyAffinityMs) ||
    replyAffinityMs < 0 ||
    replyAffinityMs >= instanceQueueExpiresMs
  ) {
    throw new RangeError(
      `RabbitMqTransport: replyAffinityMs must be a whole number of ms from 0 to less than instanceQueueExpiresMs (${instanceQueueExpiresMs}), got ${replyAffinityMs}`,
    );
  }
  return {
    ...resolveDeliveryLimits(options),
    prefix: options.prefix ?? 'dta',
    prefetch: options.prefetch ?? 32,
    quorumQueues: options.quorumQueues ?? false,
    instanceQueueExpiresMs,
    replyAffinityMs,
    redeliveryDelayMs: options.redeliveryDelayMs ?? 1000,
    publishTimeoutMs: options.publishTimeoutMs ?? 10_000,
  };
}
