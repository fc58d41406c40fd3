import type {
  CallbackMessage,
  LifecycleEvent,
  ReplyMessage,
  ResultMessage,
  StartMessage,
  TaskMessage,
} from './saga-messages';

/**
 * Handles one message. Resolving acknowledges it (only then: the state it causes is stored by then).
 * Throwing {@link InvalidMessageError} sends it to the dead-letter queue with the reason; throwing anything
 * else redelivers it after a short pause.
 */
export type MessageHandler<M> = (message: M) => Promise<void>;

export interface ConsumeOptions {
  /** How many unacknowledged messages one consumer holds at once. */
  prefetch?: number;
}

/** How an orchestrator replica consumes its flow's replies. */
export interface ReplyConsumeOptions extends ConsumeOptions {
  /**
   * This replica's instance id, the `replyTo` of the commands it sends: the replies sent back to it arrive here
   * as well as those of the flow's shared queue, where a transport can route them so (RabbitMQ; the others
   * ignore it and every reply arrives on the shared queue).
   * @default none: only the shared queue
   */
  replica?: string;
}

/**
 * How sagas talk. Every channel is durable and at-least-once: consumers must tolerate duplicates.
 * Queue and exchange names are derived from flow and task names (see `transport/saga-topology.ts`).
 */
/** What {@link SagaTransport.queueDepths} counts: ready messages by queue name, and dead letters. */
export interface QueueDepths {
  queues: Record<string, number>;
  /** The dead-letter queue's name, and how many messages it holds. */
  deadLetterQueue: string;
  deadLetters: number;
}

export interface SagaTransport {
  /** Connects and declares the shared exchanges; idempotent. */
  init(): Promise<void>;

  /** Routes to the flow's start queue, or to its throttled queue when `message.throttled`. */
  sendStart(message: StartMessage): Promise<void>;
  consumeStarts(flow: string, handler: MessageHandler<StartMessage>, options?: ConsumeOptions): Promise<void>;
  /** Throttled starts: `options.prefetch` bounds how many one consumer holds (runs) at once. */
  consumeThrottledStarts(
    flow: string,
    handler: MessageHandler<StartMessage>,
    options?: ConsumeOptions,
  ): Promise<void>;

  /**
   * How many starts of `flow` wait for an orchestrator: the messages ready in its start and throttled queues
   * (not those an orchestrator holds). A queue that does not exist yet counts 0. `SagaClient` reads it to refuse
   * starts past `maxQueuedStarts`.
   */
  queuedStarts(flow: string): Promise<number>;

  /**
   * The messages ready on each queue of `flow` (its start, throttled start and reply queues, and the queue of
   * each of `tasks`), by queue name, and on the shared dead-letter queue; not those a consumer holds. A queue
   * that does not exist yet counts 0. For metrics (`@dta/saga/metrics`).
   */
  queueDepths(flow: string, tasks: readonly string[]): Promise<QueueDepths>;

  sendTask(message: TaskMessage): Promise<void>;
  consumeTasks(
    flow: string,
    task: string,
    handler: MessageHandler<TaskMessage>,
    options?: ConsumeOptions,
  ): Promise<void>;

  /**
   * Sends to the flow's reply queue; with `replyTo` (the command's), to that orchestrator replica where the
   * transport can do so without losing the reply once the replica is gone (see {@link ReplyConsumeOptions}).
   */
  sendReply(message: ReplyMessage, replyTo?: string): Promise<void>;
  consumeReplies(
    flow: string,
    handler: MessageHandler<ReplyMessage>,
    options?: ReplyConsumeOptions,
  ): Promise<void>;

  /** Sends to one caller instance's queue (`replyTo`), never to another instance. */
  sendResult(replyTo: string, message: ResultMessage): Promise<void>;
  consumeResults(replyTo: string, handler: MessageHandler<ResultMessage>): Promise<void>;

  sendCallback(message: CallbackMessage): Promise<void>;
  consumeCallbacks(handler: MessageHandler<CallbackMessage>, options?: ConsumeOptions): Promise<void>;

  publishEvent(event: LifecycleEvent): Promise<void>;
  /**
   * Delivers the events whose routing key (`<flow>.<type>`) matches one of `patterns` (AMQP topic syntax) to
   * `subscriber`'s own durable queue: replicas of one subscriber share the work, distinct subscribers each
   * get every event.
   */
  consumeEvents(
    subscriber: string,
    patterns: string[],
    handler: MessageHandler<LifecycleEvent>,
  ): Promise<void>;

  /**
   * Resolves once the broker answers one round trip (health checks: `@dta/saga/health`); rejects naming why
   * when it cannot, or after `close()`. It may wait while the connection is being re-established: the
   * caller bounds it.
   */
  check(): Promise<void>;

  /** Stops consuming, waits for handlers under way, closes connections. */
  close(): Promise<void>;
}
