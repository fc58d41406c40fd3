// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient shim, which no import can bring in
/// <reference path="./nats-core-types.d.ts" />
import { nanos } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { QueueAddress } from '../saga-channels';
import type { SagaTopology } from '../saga-topology';

/** Stream settings that must agree wherever the streams are declared. */
export interface NatsStreamSettings {
  instanceQueueExpiresMs: number;
  duplicateWindowMs: number;
  ackWaitMs: number;
}

/** Where a queue lives in JetStream: its stream, the subject its messages are published on, its durable. */
export interface NatsQueue {
  readonly name: string;
  readonly stream: string;
  readonly subject: string;
  /** Name of the durable pull consumer every consumer of the queue shares. */
  readonly durable: string;
  readonly lifetime: QueueAddress['lifetime'];
}

/**
 * How {@link SagaTopology} maps onto JetStream. Stream names cannot contain `.`: they derive from the prefix
 * (`dta` → `dta-queues`, `dta-results`, `dta-events`), and their subjects never overlap:
 *
 * | stream | subjects | retention | what |
 * |---|---|---|---|
 * | `dta-queues` | `dta.q.<queue>` | work queue, file | shared queues (starts, tasks, replies, callbacks, dead letters) |
 * | `dta-results` | `dta.r.<queue>` | work queue, file, `max_age` | caller instances' results |
 * | `dta-events` | `dta.e.<flow>.<type>` | interest, file | lifecycle events: kept until every subscriber took them |
 *
 * `<queue>` is the queue's name without the prefix, e.g. `dta.q.booking.create-order` for the queue
 * `dta.booking.create-order`. A queue is a durable pull consumer filtered on its subject (work queues allow one
 * consumer per subject, which all the queue's consumers share); an event subscriber is a durable consumer of
 * the whole event stream that keeps only the events its patterns match (JetStream 2.9 has a single filter).
 */
export class NatsTopology {
  readonly queuesStream: string;
  readonly resultsStream: string;
  readonly eventsStream: string;
  /** The prefix as subject tokens (the same unless it holds characters a subject cannot carry). */
  private readonly subjectPrefix: string;

  constructor(
    readonly names: SagaTopology,
    private readonly settings: NatsStreamSettings,
  ) {
    // Stream names cannot contain `.` (nor wildcards or spaces): `.` becomes `_`, as in consumer names.
    const base = durableName(names.prefix);
    this.subjectPrefix = subjectTokens(names.prefix);
    this.queuesStream = `${base}-queues`;
    this.resultsStream = `${base}-results`;
    this.eventsStream = `${base}-events`;
  }

  /** The three streams, idempotent to declare with the same settings. */
  streams(): StreamConfig[] {
    const prefix = this.subjectPrefix;
    const duplicateWindow = nanos(this.settings.duplicateWindowMs);
    const common = {
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      num_replicas: 1,
      duplicate_window: duplicateWindow,
    };
    return [
      {
        ...common,
        name: this.queuesStream,
        subjects: [`${prefix}.q.>`],
        retention: RetentionPolicy.Workqueue,
      },
      {
        ...common,
        name: this.resultsStream,
        subjects: [`${prefix}.r.>`],
        retention: RetentionPolicy.Workqueue,
        max_age: nanos(this.settings.instanceQueueExpiresMs),
        duplicate_window: nanos(
          Math.min(this.settings.duplicateWindowMs, this.settings.instanceQueueExpiresMs),
        ),
      },
      {
        ...common,
        name: this.eventsStream,
        subjects: [`${prefix}.e.>`],
        retention: RetentionPolicy.Interest,
      },
    ] as StreamConfig[];
  }

  /** A queue: shared ones in the queues stream, instance ones (results) in the results stream. */
  queue(address: QueueAddress): NatsQueue {
    const rest = subjectTokens(this.withoutPrefix(address.name));
    const shared = address.lifetime === 'shared';
    return {
      name: address.name,
      lifetime: address.lifetime,
      stream: shared ? this.queuesStream : this.resultsStream,
      subject: `${this.subjectPrefix}.${shared ? 'q' : 'r'}.${rest}`,
      durable: durableName(address.name),
    };
  }

  get deadLetterQueue(): NatsQueue {
    return this.queue({ name: this.names.deadLetterQueue, lifetime: 'shared' });
  }

  /** An event subscriber's queue: a durable consumer of every event. */
  eventQueue(address: QueueAddress): NatsQueue {
    return {
      name: address.name,
      lifetime: address.lifetime,
      stream: this.eventsStream,
      subject: this.eventSubjects,
      durable: durableName(address.name),
    };
  }

  /** Every event subject. */
  get eventSubjects(): string {
    return `${this.subjectPrefix}.e.>`;
  }

  /** Subject of an event under routing key `<flow>.<type>`. */
  eventSubject(key: string): string {
    return `${this.subjectPrefix}.e.${subjectTokens(key)}`;
  }

  /** The routing key of an event subject (`<flow>.<type>`), or undefined for another subject. */
  eventKey(subject: string): string | undefined {
    const head = `${this.subjectPrefix}.e.`;
    if (!subject.startsWith(head)) return undefined;
    try {
      return subject.slice(head.length).split('.').map(decodeURIComponent).join('.');
    } catch {
      return undefined; // a stray `%` from another publisher: no pattern of ours can want it
    }
  }

  /**
   * The durable consumer of a queue, explicit ack. A consumer is delivered everything of its subject (a queue
   * keeps what was sent before anyone consumed it), an event subscriber only what is published after it first
   * subscribed, like a queue bound to an exchange. Instance ones go after `instanceQueueExpiresMs` inactive.
   * `max_deliver` is unlimited: the delivery count DTA limits travels in the message (see `NatsTransport`).
   * `max_ack_pending` is unlimited too: the replicas of a queue share its durable, so a limit there would bound
   * all of them together, and each declaring its own prefetch would overwrite the others'; each consumer pulls
   * at most its own prefetch instead (see `NatsConsumer`), as a RabbitMQ channel's prefetch bounds one consumer.
   */
  consumerConfig(queue: NatsQueue): Partial<ConsumerConfig> & { durable_name: string } {
    const events = queue.stream === this.eventsStream;
    return {
      durable_name: queue.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: events ? DeliverPolicy.New : DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
      filter_subject: queue.subject,
      ack_wait: nanos(this.settings.ackWaitMs),
      max_deliver: -1,
      max_ack_pending: -1,
      ...(queue.lifetime === 'instance'
        ? { inactive_threshold: nanos(this.settings.instanceQueueExpiresMs) }
        : {}),
    };
  }

  private withoutPrefix(name: string): string {
    const head = `${this.names.prefix}.`;
    return name.startsWith(head) ? name.slice(head.length) : name;
  }
}

/**
 * A name as subject tokens: split on `.`, each token percent-encoded outside `[A-Za-z0-9_-]`, so that no
 * wildcard, space or other byte a subject cannot carry gets through (DTA's flow and task names need none).
 */
function subjectTokens(name: string): string {
  const tokens = name.split('.');
  if (tokens.some((token) => token === '')) throw new Error(`Invalid queue or routing key name: "${name}"`);
  return tokens.map((token) => percentEncode(token, /[^A-Za-z0-9_-]/gu)).join('.');
}

/**
 * A queue name as a consumer name, which cannot contain `.`: `.` becomes `_`, anything else outside
 * `[A-Za-z0-9-]` is percent-encoded (`_` as `%5F`), so two queues never share a consumer.
 */
function durableName(name: string): string {
  return name
    .split('.')
    .map((token) => percentEncode(token, /[^A-Za-z0-9-]/gu))
    .join('_');
}

/** Replaces every character `unsafe` matches with its UTF-8 bytes as `%XX`. */
function percentEncode(text: string, unsafe: RegExp): string {
  return text.replace(unsafe, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}
