import { NatsTransport, type LifecycleEvent } from '@dta/saga';
import { openExchangeTap } from './exchange-tap';

/** A lifecycle event as the orchestrators publish it on `<prefix>.events` (routing key `<flow>.<type>`). */
export interface RecordedEvent {
  routingKey: string;
  type: string;
  sagaId: string;
  traceId: string;
  /** The orchestrator instance that published it. */
  instance: string;
  at: number;
  step?: string;
  task?: string;
}

/**
 * Listens to the events exchange with a raw amqplib channel, through a queue of its own (server-named,
 * exclusive, auto-delete: it goes away with the connection), and keeps every event in arrival order.
 */
export class LifecycleEventRecorder {
  readonly events: RecordedEvent[] = [];

  private closer?: () => Promise<void>;

  private constructor() {}

  /** Subscribes before returning: every event published afterwards with one of `routingKeys` is recorded. */
  static async open(
    amqpUrl: string,
    exchange: string,
    routingKeys: string[],
  ): Promise<LifecycleEventRecorder> {
    const recorder = new LifecycleEventRecorder();
    const tap = await openExchangeTap(amqpUrl, exchange, routingKeys, (message) => {
      const event = JSON.parse(message.content.toString('utf8')) as Omit<RecordedEvent, 'routingKey'>;
      recorder.events.push({ ...event, routingKey: message.fields.routingKey });
    });
    recorder.closer = () => tap.connection.close();
    return recorder;
  }

  /**
   * The same on NATS JetStream: a subscriber of the prefix's event stream, through a `NatsTransport` of its own
   * (the stream keeps its order: one subscriber sees the events as they were stored).
   */
  static async openNats(
    natsUrl: string,
    prefix: string,
    routingKeys: string[],
  ): Promise<LifecycleEventRecorder> {
    const recorder = new LifecycleEventRecorder();
    const transport = new NatsTransport({ url: natsUrl, prefix, name: `${prefix}-event-recorder` });
    await transport.consumeEvents('recorder', routingKeys, async (event: LifecycleEvent) => {
      recorder.events.push({
        ...event,
        instance: event.instance ?? '',
        routingKey: `${event.flow}.${event.type}`,
      });
    });
    recorder.closer = () => transport.close();
    return recorder;
  }

  /** Closes the connection (a no-op if the broker already closed it). */
  async close(): Promise<void> {
    await this.closer?.().catch(() => undefined);
  }
}

/** What {@link concurrencyByInstance} found. */
export interface ConcurrencyReport {
  /** The most sagas each instance had started and not yet seen end, at any moment. */
  peak: Map<string, number>;
  /** Sagas started per instance. */
  started: Map<string, number>;
  /** Sagas with more than one `started` event (each saga must be created exactly once). */
  startedTwice: string[];
  /** Terminal events of sagas never seen starting, or ending twice. */
  unexpectedEnds: string[];
}

const TERMINAL = new Set(['completed', 'compensated', 'stalled']);

/**
 * Replays `events` in arrival order: an instance runs a saga from its `started` event (published by the
 * instance that created it) to the saga's first terminal event (published by whichever instance took the
 * last reply). The publisher confirms the terminal event before it sends the result that frees the slot, so
 * on one queue the end of a saga always arrives before the start that replaced it.
 */
export function concurrencyByInstance(events: RecordedEvent[]): ConcurrencyReport {
  const owner = new Map<string, string>();
  const ended = new Set<string>();
  const running = new Map<string, number>();
  const report: ConcurrencyReport = {
    peak: new Map(),
    started: new Map(),
    startedTwice: [],
    unexpectedEnds: [],
  };
  for (const event of events) {
    if (event.type === 'started') {
      if (owner.has(event.sagaId)) {
        report.startedTwice.push(event.sagaId);
        continue;
      }
      owner.set(event.sagaId, event.instance);
      const now = (running.get(event.instance) ?? 0) + 1;
      running.set(event.instance, now);
      report.started.set(event.instance, (report.started.get(event.instance) ?? 0) + 1);
      report.peak.set(event.instance, Math.max(report.peak.get(event.instance) ?? 0, now));
    } else if (TERMINAL.has(event.type)) {
      const instance = owner.get(event.sagaId);
      if (instance === undefined || ended.has(event.sagaId)) {
        report.unexpectedEnds.push(`${event.type} ${event.sagaId}`);
        continue;
      }
      ended.add(event.sagaId);
      running.set(instance, (running.get(instance) ?? 0) - 1);
    }
  }
  return report;
}
