/**
 * Every queue and exchange name DTA uses, in one place. `prefix` defaults to `dta`.
 *
 * | name | kind | what |
 * |---|---|---|
 * | `dta.commands` | direct exchange | routes every queued message (starts, tasks, replies, results, callbacks) by the queue name |
 * | `dta.<flow>.start` | queue | start requests of a flow (orchestrators) |
 * | `dta.<flow>.throttled` | queue | throttled start requests; each orchestrator holds at most its limit |
 * | `dta.<flow>.<task>` | queue | run/compensate commands of a task (its workers) |
 * | `dta.<flow>.replies` | queue | task replies of a flow (orchestrators) |
 * | `dta.<flow>.replies.<instance>` | queue | replies to the commands one orchestrator replica sent (RabbitMQ) |
 * | `dta.replies` | direct exchange | replies sent back to a replica, routing key its reply queue's name |
 * | `dta.replies.unrouted` | topic exchange | `dta.replies`' alternate: a reply for a gone replica, to its flow's queue |
 * | `dta.results.<instance>` | queue | one caller instance's results |
 * | `dta.callbacks` | queue | results to POST to callers' callback URLs |
 * | `dta.events` | topic exchange | lifecycle events, routing key `<flow>.<type>` |
 * | `dta.events.<subscriber>` | queue | one subscriber's events, bound with its patterns |
 * | `dta.dead-letter` | queue | messages out of bounds, invalid, or failed `maxDeliveries` times, with the reason and count |
 */
export class SagaTopology {
  constructor(readonly prefix = 'dta') {}

  get commandsExchange(): string {
    return `${this.prefix}.commands`;
  }
  get repliesExchange(): string {
    return `${this.prefix}.replies`;
  }
  get unroutedRepliesExchange(): string {
    return `${this.prefix}.replies.unrouted`;
  }
  get eventsExchange(): string {
    return `${this.prefix}.events`;
  }
  get deadLetterQueue(): string {
    return `${this.prefix}.dead-letter`;
  }
  startQueue(flow: string): string {
    return `${this.prefix}.${flow}.start`;
  }
  throttledQueue(flow: string): string {
    return `${this.prefix}.${flow}.throttled`;
  }
  get callbackQueue(): string {
    return `${this.prefix}.callbacks`;
  }
  eventQueue(subscriber: string): string {
    return `${this.prefix}.events.${subscriber}`;
  }
  taskQueue(flow: string, task: string): string {
    return `${this.prefix}.${flow}.${task}`;
  }
  replyQueue(flow: string): string {
    return `${this.prefix}.${flow}.replies`;
  }
  replicaReplyQueue(flow: string, instance: string): string {
    return `${this.replyQueue(flow)}.${instance}`;
  }
  resultQueue(instance: string): string {
    return `${this.prefix}.results.${instance}`;
  }
  eventKey(flow: string, type: string): string {
    return `${flow}.${type}`;
  }
}
