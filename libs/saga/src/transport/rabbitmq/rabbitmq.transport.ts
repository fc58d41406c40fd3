import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { Logger, type LoggerService } from '@nestjs/common';
import type { Channel, ChannelModel, ConsumeMessage, Options } from 'amqplib';
import { BrokerTransport, type OutgoingMessage, type QueueReceiver } from '../broker-transport';
import { deadLetterHeaders, DELIVERY_HEADER, describeError } from '../message-delivery';
import { coalesceWrites } from '../../io/coalesced-writes';
import { CLOSE_STEP_MS, quietlyWithin, RabbitMqConsumer } from './rabbitmq-consumer';
import {
  resolveRabbitMqTransportSettings,
  type RabbitMqTransportConnectOptions,
  type RabbitMqTransportOptions,
  type ResolvedRabbitMqTransportSettings,
} from './rabbitmq-transport.options';
import { RabbitMqTopology, type QueueDeclaration } from './rabbitmq-topology';
import type { QueueAddress } from '../saga-channels';
import { TransientFaultError } from '../../vocabulary';

/** Pause before publishing again a message the broker did not confirm. */
const REPUBLISH_PAUSE_MS = 50;

/**
 * {@link SagaTransport} on RabbitMQ, through `@golevelup/nestjs-rabbitmq`'s `AmqpConnection` (which reconnects
 * by itself). Names come from `SagaTopology`; exchanges and queues are durable and declared idempotently, by
 * consumers and by senders alike, so a message sent before its consumer exists waits in its queue.
 *
 * - Sending resolves once the broker confirmed the message (publisher confirms); messages are persistent JSON
 *   with the headers `x-request-id` (the trace id) and W3C `traceparent`.
 * - Each consumer has a channel of its own with its prefetch, and acknowledges a message only after its handler
 *   resolved. A message over `maxMessageBytes` or `maxMessageDepth`, that is not JSON or fails its parser, or
 *   whose handler throws `InvalidMessageError`, is moved to the dead-letter queue (headers `x-dta-reason`,
 *   `x-dta-source-queue`, `x-dta-deliveries`). Any other handler error publishes it again to its queue after
 *   `redeliveryDelayMs`, with its delivery count in `x-dta-delivery`, then acknowledges the original (a copy
 *   confirmed first, so at least once holds); after `maxDeliveries` failed deliveries it is dead-lettered.
 *   Classic queues count no deliveries and quorum queues (`x-delivery-limit`) cannot be declared over existing
 *   classic ones, so the count travels in the message. No message crashes a consumer.
 * - The socket has TCP_NODELAY: with Nagle's algorithm on, a lone message waits for the peer's delayed ACK
 *   (about 40 ms per hop on Linux).
 *
 * @example
 * const transport = new RabbitMqTransport({ url: 'amqp://guest:guest@localhost:5672' });
 * await transport.init();
 */
export class RabbitMqTransport extends BrokerTransport {
  private amqp: AmqpConnection;
  private readonly ownsConnection: boolean;
  private readonly settings: ResolvedRabbitMqTransportSettings;
  private readonly rabbit: RabbitMqTopology;
  private readonly logger: LoggerService;
  private readonly consumers = new Set<RabbitMqConsumer>();
  /** Queues declared on this connection (forgotten on reconnection: the broker may have lost them). */
  private readonly declared = new Set<string>();
  private readonly declaring = new Map<string, Promise<void>>();
  /** See `replicaFallback`. */
  private readonly replicaFallbacks = new Map<string, [QueueDeclaration, string]>();
  private established = false;

  /**
   * @param options a URL to connect to (the transport owns and closes that connection), or a ready golevelup
   *   `AmqpConnection`, alone or as `{ connection, ...settings }` (its owner closes it)
   */
  constructor(options: RabbitMqTransportOptions | AmqpConnection) {
    const resolved = options instanceof AmqpConnection ? { connection: options } : options;
    super(resolved);
    this.settings = resolveRabbitMqTransportSettings(resolved);
    this.logger = resolved.logger ?? new Logger(RabbitMqTransport.name);
    this.rabbit = new RabbitMqTopology(this.topology, this.settings);
    if ('connection' in resolved) {
      this.amqp = resolved.connection;
      this.ownsConnection = false;
      const socket = this.amqp.configuration.connectionManagerOptions?.connectionOptions;
      if (socket?.noDelay !== true) {
        this.logger.warn(
          'The AmqpConnection given to RabbitMqTransport has no connectionManagerOptions.connectionOptions.noDelay:' +
            ' true; every message waits for delayed ACKs (~40 ms per hop).',
        );
      }
    } else {
      this.amqp = this.createConnection(resolved);
      this.ownsConnection = true;
    }
  }

  /** The golevelup connection the transport runs on (e.g. for health checks). */
  get connection(): AmqpConnection {
    return this.amqp;
  }

  /**
   * Connects (if the transport owns its connection), declares the exchanges and the dead-letter queue; on every
   * reconnection too, before queued messages are published.
   */
  protected async connect(): Promise<void> {
    if (this.ownsConnection) {
      try {
        await this.amqp.init();
      } catch (error) {
        // golevelup keeps retrying in the background: stop it, and start afresh if init() is called again.
        const config = this.amqp.configuration;
        await (this.amqp.managedConnection as AmqpConnection['managedConnection'] | undefined)?.close();
        this.amqp = new AmqpConnection(config);
        throw error;
      }
    } else if (!this.amqp.managedConnection) {
      throw new Error(
        'The AmqpConnection given to RabbitMqTransport is not initialised: await its init() first.',
      );
    }
    this.amqp.managedConnection.on('connect', this.forgetDeclarations);
    this.amqp.managedConnection.on('connect', this.coalesceSocketWrites);
    coalesceWrites(socketOf(this.amqp.managedConnection.connection));
    await this.amqp.managedChannel.addSetup(this.setupPublisher);
    this.established = true;
  }

  /** Publishes on `dta.commands` with the queue name as routing key, once the queue exists. */
  protected async sendToQueue(queue: QueueAddress, message: OutgoingMessage): Promise<void> {
    const declaration = this.rabbit.queue(queue);
    await this.ensureQueue(declaration);
    await this.publish(this.topology.commandsExchange, declaration.name, message);
  }

  protected async consumeQueue(queue: QueueAddress, receiver: QueueReceiver): Promise<void> {
    await this.consume(this.rabbit.queue(queue), receiver);
  }

  /**
   * Publishes on `dta.replies` with the replica's queue name as routing key. Its queue gets it; when that
   * queue is gone, the alternate exchange routes it to the shared queue, which is declared (and bound to the
   * alternate exchange) first, once per connection.
   */
  protected override async sendToReplica(
    shared: QueueAddress,
    replica: QueueAddress,
    message: OutgoingMessage,
  ): Promise<void> {
    if (this.settings.replyAffinityMs === 0) return this.sendToQueue(shared, message);
    await this.ensureQueue(...this.replicaFallback(shared));
    await this.publish(this.topology.repliesExchange, replica.name, message);
  }

  /** The shared reply queue's declaration with its fallback binding, and its key: built once per queue. */
  private replicaFallback(shared: QueueAddress): [QueueDeclaration, string] {
    let fallback = this.replicaFallbacks.get(shared.name);
    if (!fallback) {
      fallback = [this.rabbit.sharedReplyQueue(shared), `${shared.name} (replica fallback)`];
      this.replicaFallbacks.set(shared.name, fallback);
    }
    return fallback;
  }

  protected override async consumeReplica(
    shared: QueueAddress,
    replica: QueueAddress,
    receiver: QueueReceiver,
  ): Promise<void> {
    if (this.settings.replyAffinityMs === 0) return;
    await this.consume(this.rabbit.replicaQueue(shared, replica), receiver);
  }

  /** Publishes on the topic exchange with routing key `<flow>.<type>`; dropped if nobody is bound. */
  protected async publishToTopic(key: string, message: OutgoingMessage): Promise<void> {
    await this.publish(this.topology.eventsExchange, key, message);
  }

  protected async subscribeToTopic(
    queue: QueueAddress,
    patterns: readonly string[],
    receiver: QueueReceiver,
  ): Promise<void> {
    await this.consume(this.rabbit.eventQueue(queue, patterns), receiver);
  }

  /** Reads `messageCount` (ready messages) with a passive declaration. */
  protected countReady(queue: QueueAddress): Promise<number> {
    return this.readyMessages(queue.name);
  }

  /**
   * Cancels the consumers, waits for their handlers under way, then closes the channels and, if the transport
   * opened it, the connection. Idempotent.
   */
  protected async disconnect(): Promise<void> {
    {
      await Promise.all([...this.consumers].map((consumer) => consumer.stop()));
      this.consumers.clear();
      const manager = this.amqp.managedConnection as AmqpConnection['managedConnection'] | undefined;
      manager?.removeListener('connect', this.forgetDeclarations);
      manager?.removeListener('connect', this.coalesceSocketWrites);
      if (this.established) {
        await quietlyWithin(CLOSE_STEP_MS, () => this.amqp.managedChannel.removeSetup(this.setupPublisher));
      }
      if (this.ownsConnection && manager && !(await quietlyWithin(CLOSE_STEP_MS, () => this.amqp.close()))) {
        // The connection died while closing and amqplib waits forever for the broker's answer: drop the socket.
        this.logger.warn('RabbitMQ connection did not close in time; dropping its socket');
        socketOf(manager.connection)?.destroy();
      }
    }
  }

  private createConnection(options: RabbitMqTransportConnectOptions): AmqpConnection {
    const name = options.connectionName ?? 'dta';
    return new AmqpConnection({
      name,
      uri: options.url,
      prefetchCount: this.settings.prefetch,
      enableDirectReplyTo: false,
      registerHandlers: false,
      logger: this.logger,
      connectionInitOptions: { wait: true, reject: true, timeout: options.connectTimeoutMs ?? 5000 },
      connectionManagerOptions: {
        heartbeatIntervalInSeconds: options.heartbeatSeconds ?? 5,
        reconnectTimeInSeconds: (options.reconnectDelayMs ?? 1000) / 1000,
        // Passed to amqplib's connect() as socket options (see the class comment for noDelay).
        connectionOptions: { noDelay: true, clientProperties: { connection_name: name } },
      },
    });
  }

  private readonly setupPublisher = async (channel: Channel): Promise<void> => {
    channel.on('error', (error: Error) => {
      this.logger.error(`RabbitMQ publisher channel failed: ${error.message}`);
      // A channel the broker closed stays closed until the connection is renewed.
      if (this.established && !this.isClosed) this.amqp.managedConnection.reconnect();
    });
    await this.rabbit.declareShared(channel);
  };

  private readonly forgetDeclarations = (): void => {
    this.declared.clear();
  };

  private readonly coalesceSocketWrites = ({ connection }: { connection: ChannelModel }): void => {
    coalesceWrites(socketOf(connection));
  };

  /** Resolves when the broker confirmed the message. */
  private async publish(exchange: string, routingKey: string, message: OutgoingMessage): Promise<void> {
    await this.publishConfirmed(exchange, routingKey, Buffer.from(message.body), {
      persistent: true,
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      timestamp: Math.floor(Date.now() / 1000),
      appId: 'dta',
      headers: { ...message.headers },
    });
  }

  /**
   * Publishes on the managed confirm channel and resolves once the broker confirmed. The managed channel holds
   * messages while disconnected, but rejects those written just before the connection dropped ("channel
   * closed"): they are published again (at least once) until `publishTimeoutMs` has passed, then it rejects
   * with a `TransientFaultError` (a handler that fails on it uses no delivery).
   */
  private async publishConfirmed(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish,
  ): Promise<void> {
    const deadline = Date.now() + this.settings.publishTimeoutMs;
    for (;;) {
      const timeout = deadline - Date.now();
      try {
        await this.amqp.managedChannel.publish(exchange, routingKey, content, { ...options, timeout });
        return;
      } catch (error) {
        if (this.isClosed) throw error;
        if (deadline - Date.now() < REPUBLISH_PAUSE_MS) {
          throw new TransientFaultError(
            `RabbitMQ did not confirm a message to ${exchange || `queue ${routingKey}`} within ${this.settings.publishTimeoutMs} ms: ${describeError(error)}`,
            { cause: error },
          );
        }
        this.logger.warn(
          `Publishing to ${exchange || 'the default exchange'} failed, again: ${describeError(error)}`,
        );
        await sleep(REPUBLISH_PAUSE_MS);
      }
    }
  }

  /**
   * Makes sure a destination queue exists before publishing to it, once per connection, so that nothing is
   * published to a missing queue. A queue that exists is only bound, whatever its arguments: the consumer side
   * decides them, and a sender configured differently (e.g. another `instanceQueueExpiresMs`) must not fail.
   * `key` names it among those done: a declaration with more bindings than the plain one has a key of its own.
   */
  private async ensureQueue(queue: QueueDeclaration, key = queue.name): Promise<void> {
    if (this.declared.has(key)) return;
    let declaring = this.declaring.get(key);
    if (!declaring) {
      declaring = this.declareForSending(queue)
        .then(() => void this.declared.add(key))
        .finally(() => this.declaring.delete(key));
      this.declaring.set(key, declaring);
    }
    await declaring;
  }

  private async declareForSending(queue: QueueDeclaration): Promise<void> {
    const bound = await this.withTemporaryChannel(async (channel) => {
      try {
        await channel.checkQueue(queue.name);
      } catch {
        return false; // 404: the broker closed this channel
      }
      await this.rabbit.bindQueue(channel, queue);
      return true;
    });
    if (!bound) await this.withTemporaryChannel((channel) => this.rabbit.declareQueue(channel, queue));
  }

  /** Messages ready in `queue`, 0 if it does not exist (the broker closes the temporary channel on a 404). */
  private readyMessages(queue: string): Promise<number> {
    return this.withTemporaryChannel((channel) =>
      channel.checkQueue(queue).then(
        ({ messageCount }) => messageCount,
        (error: unknown) => {
          if ((error as { code?: unknown }).code === 404) return 0;
          throw error;
        },
      ),
    );
  }

  /**
   * Runs declarations on a short-lived channel: if the broker refuses one (e.g. a queue exists with other
   * arguments), it closes that channel only, and the caller gets the error.
   */
  private async withTemporaryChannel<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const model = await this.connectedModel();
    const channel = await model.createChannel();
    channel.on('error', () => undefined); // the failing call rejects with the same error
    try {
      return await work(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  private async connectedModel(): Promise<ChannelModel> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TransientFaultError(`Not connected to RabbitMQ within ${this.settings.publishTimeoutMs} ms`),
          ),
        this.settings.publishTimeoutMs,
      );
    });
    try {
      await Promise.race([this.amqp.managedChannel.waitForConnect(), timeout]);
    } finally {
      clearTimeout(timer);
    }
    const model = this.amqp.managedConnection.connection;
    if (!model) throw new TransientFaultError('Connection to RabbitMQ lost; try again');
    return model;
  }

  private async consume(queue: QueueDeclaration, receiver: QueueReceiver): Promise<void> {
    const consumer = new RabbitMqConsumer({
      connection: this.amqp.managedConnection,
      queue,
      declare: (channel, declaration) => this.rabbit.declareQueue(channel, declaration),
      prefetch: receiver.prefetch,
      redeliveryDelayMs: this.settings.redeliveryDelayMs,
      process: (delivery) => receiver.process(delivery),
      deadLetter: (message, reason, deliveries) => this.deadLetter(queue.name, message, reason, deliveries),
      redeliver: (message, next) => this.redeliver(queue.name, message, next),
      logger: this.logger,
    });
    if (this.isClosed) return; // close() began while connecting
    this.consumers.add(consumer);
    try {
      await consumer.start();
    } catch (error) {
      this.consumers.delete(consumer);
      await consumer.stop();
      throw error;
    }
  }

  /** Copies the message, bytes and headers as received, to the dead-letter queue with the reason and count. */
  private async deadLetter(
    sourceQueue: string,
    message: ConsumeMessage,
    reason: string,
    deliveries: number,
  ): Promise<void> {
    const { fields } = message;
    await this.publishCopy(this.topology.deadLetterQueue, message, {
      ...deadLetterHeaders(reason, deliveries, sourceQueue),
      'x-dta-exchange': fields.exchange,
      'x-dta-routing-key': fields.routingKey,
    });
  }

  /** Publishes a copy of a failed message back to its queue (default exchange) as delivery `next`. */
  private async redeliver(queue: string, message: ConsumeMessage, next: number): Promise<void> {
    await this.publishCopy(queue, message, { [DELIVERY_HEADER]: next });
  }

  /** Publishes the bytes and properties of `message` to `queue`, with `headers` added; resolves once confirmed. */
  private async publishCopy(
    queue: string,
    message: ConsumeMessage,
    headers: Record<string, unknown>,
  ): Promise<void> {
    const { properties } = message;
    await this.publishConfirmed('', queue, message.content, {
      persistent: true,
      contentType: properties.contentType as string | undefined,
      contentEncoding: properties.contentEncoding as string | undefined,
      messageId: properties.messageId as string | undefined,
      timestamp: properties.timestamp as number | undefined,
      appId: properties.appId as string | undefined,
      headers: { ...properties.headers, ...headers },
    });
  }
}

/** The socket under an amqplib connection (its `connection.stream`, not in amqplib's types). */
function socketOf(model: ChannelModel | undefined): Socket | undefined {
  return (model?.connection as unknown as { stream?: Socket } | undefined)?.stream;
}
