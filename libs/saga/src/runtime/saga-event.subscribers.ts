import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SAGA_TRANSPORT } from '../saga.constants';
import type { LifecycleEvent } from '../transport/saga-messages';
import type { SagaTransport } from '../transport/saga-transport.interface';
import { topicMatches } from '../transport/topic-matches';
import { SagaRegistry, type SagaEventHandler } from './saga.registry';

/**
 * Delivers lifecycle events to the `@OnSagaEvent` methods: one consumer per subscriber, bound with the patterns
 * of its methods, each event handed to every method whose pattern matches it. A method that throws fails the
 * delivery, which the transport retries and dead-letters past its delivery limit.
 */
@Injectable()
export class SagaEventSubscribers implements OnApplicationBootstrap {
  constructor(
    private readonly registry: SagaRegistry,
    @Inject(SAGA_TRANSPORT) private readonly transport: SagaTransport,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const bySubscriber = new Map<string, SagaEventHandler[]>();
    for (const handler of this.registry.allEventHandlers()) {
      bySubscriber.set(handler.subscriber, [...(bySubscriber.get(handler.subscriber) ?? []), handler]);
    }
    for (const [subscriber, handlers] of bySubscriber) {
      const patterns = [...new Set(handlers.map((h) => h.pattern))];
      await this.transport.consumeEvents(subscriber, patterns, (event) => deliver(handlers, event));
    }
  }
}

async function deliver(handlers: readonly SagaEventHandler[], event: LifecycleEvent): Promise<void> {
  const key = `${event.flow}.${event.type}`;
  for (const handler of handlers) if (topicMatches(handler.pattern, key)) await handler.handle(event);
}
