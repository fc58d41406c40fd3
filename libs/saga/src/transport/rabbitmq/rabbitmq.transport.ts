import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { Logger, type LoggerService } from '@nestjs/common';
import type { Channel, ChannelModel, ConsumeMessage, Options } from 'amqplib';
import { deliverMessage, describeError, type MessageParser } from '../message-delivery';
import { CLOSE_STEP_MS, DELIVERY_HEADER, quietlyWithin, RabbitMqConsumer } from './rabbitmq-consumer';
import {
  resolveRabbitMqTransportSettings,
  type RabbitMqTransportConnectOptions,
  type RabbitMqTransportOptions,
  type ResolvedRabbitMqTransportSettings,
} from './rabbitmq-transport.options';
import { RabbitMqTopology, type QueueDeclaration } from './rabbitmq-topology';
import {
  parseReplyMessage,
  parseResultMessage,
  parseStartMessage,
  parseCallbackMessage,
  parseLifecycleEvent,
  type CallbackMessage,
  parseTaskMessage,
  type LifecycleEvent,
  type ReplyMessage,
  type ResultMessage,
  type StartMessage,
  type TaskMessage,
} from '../saga-messages';
import { SagaTopology } from '../saga-topology';
import type { ConsumeOptions, MessageHandler, SagaTransport } from '../saga-transport.interface';
import { traceHeaders } from '../trace-headers';
import { TransientFaultError } from '../../errors/transient-fault.error';
import { TransportClosedError } from '../transport-closed.error';

/** Longest `x-dta-reason` header kept; parser messages are short, handler messages might not be. */
const MAX_REASON_LENGTH = 1000;
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
export class RabbitMqTransport implements SagaTransport {
  /** Queue and exchange names. */
  readonly topology: SagaTopology;

  private amqp: AmqpConnection;
  private readonly ownsConnection: boolean;
  private readonly settings: ResolvedRabbitMqTransportSettings;
  private readonly rabbit: RabbitMqTopology;
  private readonly logger: LoggerService;
  private readonly consumers = new Set<RabbitMqConsumer>();
  /** Queues declared on this connection (forgotten on reconnection: the broker may have lost them). */
  private readonly declared = new Set<string>();
  private readonly declaring = new Map<string, Promise<void>>();
  private initialized?: Promise<void>;
  private established = false;
  private closed?: Promise<void>;

  /**
   * @param options a URL to connect to (the transport owns and closes that connection), or a ready golevelup
   *   `AmqpConnection`, alone or as `{ connection, ...settings }` (its owner closes it)
   */
  constructor(options: RabbitMqTransportOptions | AmqpConnection) {
    const resolved = options instanceof AmqpConnection ? { connection: options } : options;
    this.settings = resolveRabbitMqTransportSettings(resolved);
    this.logger = resolved.logger ?? new Logger(RabbitMqTransport.name);
    this.topology = new SagaTopology(this.settings.prefix);
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
   * Connects (if the transport owns its connection), declares the exchanges and the dead-letter queue. Idempotent;
   * the other methods call it. A failed attempt can be retried.
   */
  async init(): Promise<void> {
    this.assertOpen('init');
    this.initialized ??= this.connect().catch((error: unknown) => {
      this.initialized = undefined;
      throw error;
    });
    await this.initialized;
  }

  async sendStart(message: StartMessage): Promise<void> {
    const { flow } = message;
    const name = message.throttled ? this.topology.throttledQueue(flow) : this.topology.startQueue(flow);
    await this.sendCommand(this.rabbit.commandQueue(name), message, 'send a start message');
  }

  async consumeThrottledStarts(
    flow: string,
    handler: MessageHandler<StartMessage>,
    options?: ConsumeOptions,
  ): Promise<void> {
    const queue = this.rabbit.commandQueue(this.topology.throttledQueue(flow));
    await this.consume(queue, parseStartMessage, handler, options);
  }

  /** Reads `messageCount` (ready messages) of the two queues with a passive declaration each. */
  async queuedStarts(flow: string): Promise<number> {
    this.assertOpen('count queued starts');
    await this.init();
    const queues = [this.topology.startQueue(flow), this.topology.throttledQueue(flow)];
    const counts = await Promise.all(queues.map((queue) => this.readyMessages(queue)));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async sendCallback(message: CallbackMessage): Promise<void> {
    const queue = this.rabbit.commandQueue(this.topology.callbackQueue);
    await this.sendCommand(queue, message, 'send a callback message');
  }

  async consumeCallbacks(handler: MessageHandler<CallbackMessage>, options?: ConsumeOptions): Promise<void> {
    const queue = this.rabbit.commandQueue(this.topology.callbackQueue);
    await this.consume(queue, parseCallbackMessage, handler, options);
  }

  async consumeEvents(
    subscriber: string,
    patterns: string[],
    handler: MessageHandler<LifecycleEvent>,
  ): Promise<void> {
    await this.consume(this.rabbit.eventQueue(subscriber, patterns), parseLifecycleEvent, handler);
  }

  async consumeStarts(
    flow: string,
    handler: MessageHandler<StartMessage>,
    options?: ConsumeOptions,
  ): Promise<void> {
    await this.consume(
      this.rabbit.commandQueue(this.topology.startQueue(flow)),
      parseStartMessage,
      handler,
      options,
    );
  }

  async sendTask(message: TaskMessage): Promise<void> {
    const queue = this.rabbit.commandQueue(this.topology.taskQueue(message.flow, message.task));
    await this.sendCommand(queue, message, 'send a task message');
  }

  async consumeTasks(
    flow: string,
    task: string,
    handler: MessageHandler<TaskMessage>,
    options?: ConsumeOptions,
  ): Promise<void> {
    const queue = this.rabbit.commandQueue(this.topology.taskQueue(flow, task));
    await this.consume(queue, parseTaskMessage, handler, options);
  }

  async sendReply(message: ReplyMessage): Promise<void> {
    const queue = this.rabbit.commandQueue(this.topology.replyQueue(message.flow));
    await this.sendCommand(queue, message, 'send a reply message');
  }

  async consumeReplies(
    flow: string,
    handler: MessageHandler<ReplyMessage>,
    options?: ConsumeOptions,
  ): Promise<void> {
    await this.consume(
      this.rabbit.commandQueue(this.topology.replyQueue(flow)),
      parseReplyMessage,
      handler,
      options,
    );
  }

  async sendResult(replyTo: string, message: ResultMessage): Promise<void> {
    this.assertOpen('send a result message');
    await this.init();
    await this.ensureQueue(this.rabbit.resultQueue(replyTo));
    await this.publish(this.topology.resultsExchange, replyTo, message);
  }

  async consumeResults(replyTo: string, handler: MessageHandler<ResultMessage>): Promise<void> {
    await this.consume(this.rabbit.resultQueue(replyTo), parseResultMessage, handler);
  }

  /** Publishes on the topic exchange with routing key `<flow>.<type>`; dropped if nobody is bound. */
  async publishEvent(event: LifecycleEvent): Promise<void> {
    this.assertOpen('publish an event');
    await this.init();
    await this.publish(this.topology.eventsExchange, this.topology.eventKey(event.flow, event.type), event);
  }

  /**
   * Cancels the consumers, waits for their handlers under way, then closes the channels and, if the transport
   * opened it, the connection. Idempotent.
   */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.initialized?.catch(() => undefined);
      await Promise.all([...this.consumers].map((consumer) => consumer.stop()));
      this.consumers.clear();
      const manager = this.amqp.managedConnection as AmqpConnection['managedConnection'] | undefined;
      manager?.removeListener('connect', this.forgetDeclarations);
      if (this.established) {
        await quietlyWithin(CLOSE_STEP_MS, () => this.amqp.managedChannel.removeSetup(this.setupPublisher));
      }
      if (this.ownsConnection && manager && !(await quietlyWithin(CLOSE_STEP_MS, () => this.amqp.close()))) {
        // The connection died while closing and amqplib waits forever for the broker's answer: drop the socket.
        this.logger.warn('RabbitMQ connection did not close in time; dropping its socket');
        const connection = manager.connection?.connection as unknown as { stream?: Socket } | undefined;
        connection?.stream?.destroy();
      }
    })();
    return this.closed;
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

  private async connect(): Promise<void> {
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
    // Runs now and again on every reconnection, before queued messages are published.
    await this.amqp.managedChannel.addSetup(this.setupPublisher);
    this.established = true;
  }

  private readonly setupPublisher = async (channel: Channel): Promise<void> => {
    channel.on('error', (error: Error) => {
      this.logger.error(`RabbitMQ publisher channel failed: ${error.message}`);
      // A channel the broker closed stays closed until the connection is renewed.
      if (this.established && !this.closed) this.amqp.managedConnection.reconnect();
    });
    await this.rabbit.declareShared(channel);
  };

  private readonly forgetDeclarations = (): void => {
    this.declared.clear();
  };

  private async sendCommand(
    queue: QueueDeclaration,
    message: StartMessage | TaskMessage | ReplyMessage | CallbackMessage,
    operation: string,
  ): Promise<void> {
    this.assertOpen(operation);
    await this.init();
    await this.ensureQueue(queue);
    await this.publish(this.topology.commandsExchange, queue.name, message);
  }

  /** Resolves when the broker confirmed the message. */
  private async publish(exchange: string, routingKey: string, message: { traceId: string }): Promise<void> {
    await this.publishConfirmed(exchange, routingKey, Buffer.from(JSON.stringify(message)), {
      persistent: true,
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      timestamp: Math.floor(Date.now() / 1000),
      appId: 'dta',
      headers: traceHeaders(message.traceId),
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
        if (this.closed) throw error;
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
   */
  private async ensureQueue(queue: QueueDeclaration): Promise<void> {
    if (this.declared.has(queue.name)) return;
    let declaring = this.declaring.get(queue.name);
    if (!declaring) {
      declaring = this.declareForSending(queue)
        .then(() => void this.declared.add(queue.name))
        .finally(() => this.declaring.delete(queue.name));
      this.declaring.set(queue.name, declaring);
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

  private async consume<M>(
    queue: QueueDeclaration,
    parse: MessageParser<M>,
    handler: MessageHandler<M>,
    options: ConsumeOptions = {},
  ): Promise<void> {
    this.assertOpen('consume');
    await this.init();
    const consumer = new RabbitMqConsumer({
      connection: this.amqp.managedConnection,
      queue,
      declare: (channel, declaration) => this.rabbit.declareQueue(channel, declaration),
      prefetch: Math.max(1, options.prefetch ?? this.settings.prefetch),
      redeliveryDelayMs: this.settings.redeliveryDelayMs,
      process: (delivery) => deliverMessage(delivery, parse, handler, this.settings),
      deadLetter: (message, reason, deliveries) => this.deadLetter(queue.name, message, reason, deliveries),
      redeliver: (message, next) => this.redeliver(queue.name, message, next),
      logger: this.logger,
    });
    this.assertOpen('consume'); // close() may have begun while connecting
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
      'x-dta-reason': reason.slice(0, MAX_REASON_LENGTH),
      'x-dta-deliveries': deliveries,
      'x-dta-source-queue': sourceQueue,
      'x-dta-exchange': fields.exchange,
      'x-dta-routing-key': fields.routingKey,
      'x-dta-dead-lettered-at': new Date().toISOString(),
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

  private assertOpen(operation: string): void {
    if (this.closed) throw new TransportClosedError(operation);
  }
}
