import type { MessageParser } from './message-delivery';
import {
  parseCallbackMessage,
  parseLifecycleEvent,
  parseReplyMessage,
  parseResultMessage,
  parseStartMessage,
  parseTaskMessage,
  type CallbackMessage,
  type LifecycleEvent,
  type ReplyMessage,
  type ResultMessage,
  type StartMessage,
  type TaskMessage,
} from './saga-messages';
import type { SagaTopology } from './saga-topology';

/**
 * A durable queue, as a broker adapter sees it: a name and how long it lives. Every message on it goes to
 * exactly one of its consumers, which share the work.
 */
export interface QueueAddress {
  /** Its name from {@link SagaTopology}, e.g. `dta.booking.create-order`. */
  readonly name: string;
  /**
   * `shared`: lives until someone deletes it. `instance`: belongs to one caller instance (results) or one event
   * subscriber; the broker may drop it, with what it holds, once it had no consumer for the adapter's
   * `instanceQueueExpiresMs`.
   */
  readonly lifetime: 'shared' | 'instance';
}

/** One channel of the table: the queue a message of type `M` travels on, and how it is read back. */
export interface SagaChannel<M> {
  readonly queue: QueueAddress;
  readonly parse: MessageParser<M>;
}

/**
 * The routing of DTA, in one place: which queue each kind of message travels on, and its parser. Adapters know
 * nothing of flows, tasks or message kinds; `BrokerTransport` asks this table and hands them a queue.
 *
 * | channel | queue | lifetime | message |
 * |---|---|---|---|
 * | start | `dta.<flow>.start` | shared | {@link StartMessage} |
 * | throttled | `dta.<flow>.throttled` | shared | {@link StartMessage} with `throttled` |
 * | task | `dta.<flow>.<task>` | shared | {@link TaskMessage} |
 * | reply | `dta.<flow>.replies` | shared | {@link ReplyMessage} |
 * | replica reply | `dta.<flow>.replies.<instance>` | instance | {@link ReplyMessage} to one orchestrator replica's commands |
 * | result | `dta.results.<instance>` | instance | {@link ResultMessage} |
 * | callback | `dta.callbacks` | shared | {@link CallbackMessage} |
 * | event | `dta.events.<subscriber>`, fed by the topic `<flow>.<type>` | instance | {@link LifecycleEvent} |
 * | dead letter | `dta.dead-letter` | shared | any of the above, as received, with the reason |
 */
export class SagaChannels {
  constructor(readonly names: SagaTopology) {}

  start(flow: string): SagaChannel<StartMessage> {
    return shared(this.names.startQueue(flow), parseStartMessage);
  }

  throttled(flow: string): SagaChannel<StartMessage> {
    return shared(this.names.throttledQueue(flow), parseStartMessage);
  }

  /** Where `message` goes: its flow's start queue, or the throttled one when `message.throttled`. */
  startOf(message: StartMessage): SagaChannel<StartMessage> {
    return message.throttled ? this.throttled(message.flow) : this.start(message.flow);
  }

  task(flow: string, task: string): SagaChannel<TaskMessage> {
    return shared(this.names.taskQueue(flow, task), parseTaskMessage);
  }

  reply(flow: string): SagaChannel<ReplyMessage> {
    return shared(this.names.replyQueue(flow), parseReplyMessage);
  }

  /** Replies to the commands one orchestrator replica (`instance`) sent, where the broker can route them there. */
  replicaReply(flow: string, instance: string): SagaChannel<ReplyMessage> {
    return {
      queue: { name: this.names.replicaReplyQueue(flow, instance), lifetime: 'instance' },
      parse: parseReplyMessage,
    };
  }

  result(instance: string): SagaChannel<ResultMessage> {
    return {
      queue: { name: this.names.resultQueue(instance), lifetime: 'instance' },
      parse: parseResultMessage,
    };
  }

  callback(): SagaChannel<CallbackMessage> {
    return shared(this.names.callbackQueue, parseCallbackMessage);
  }

  event(subscriber: string): SagaChannel<LifecycleEvent> {
    return {
      queue: { name: this.names.eventQueue(subscriber), lifetime: 'instance' },
      parse: parseLifecycleEvent,
    };
  }

  /** Routing key of an event on the topic: `<flow>.<type>`. */
  eventKey(event: LifecycleEvent): string {
    return this.names.eventKey(event.flow, event.type);
  }

  get deadLetter(): QueueAddress {
    return { name: this.names.deadLetterQueue, lifetime: 'shared' };
  }
}

function shared<M>(name: string, parse: MessageParser<M>): SagaChannel<M> {
  return { queue: { name, lifetime: 'shared' }, parse };
}
