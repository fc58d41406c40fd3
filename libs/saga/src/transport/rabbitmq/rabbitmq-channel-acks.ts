import type { Channel, ConsumeMessage } from 'amqplib';

/**
 * The acknowledgements of one channel, sent once per turn of the event loop: the deliveries settled in order
 * from the oldest one unsettled go in one `multiple` ack, the others each in their own (so that a slow handler
 * holds back no prefetch). A requeue leaves at once, before any ack could cover its tag. One per channel: a
 * new channel after a reconnection starts afresh, and the broker requeues what the old one left unsettled
 * (a send on a closed channel is dropped).
 */
export class ChannelAcks {
  /** Delivery tags not settled with the broker yet, oldest first. */
  private readonly open: number[] = [];
  private readonly acked = new Set<number>();
  private scheduled = false;

  constructor(private readonly channel: Channel) {}

  received(tag: number): void {
    this.open.push(tag);
  }

  ack(tag: number): void {
    this.acked.add(tag);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  requeue(tag: number): void {
    this.forget(tag);
    this.send(() => this.channel.nack(delivery(tag), false, true));
  }

  /** Sends the acks of this turn now (before the channel closes). */
  flush(): void {
    this.scheduled = false;
    let upTo: number | undefined;
    while (this.open.length > 0 && this.acked.has(this.open[0])) {
      upTo = this.open.shift()!;
      this.acked.delete(upTo);
    }
    if (upTo !== undefined) {
      const tag = upTo;
      this.send(() => this.channel.ack(delivery(tag), true));
    }
    for (const tag of this.acked) {
      this.forget(tag);
      this.send(() => this.channel.ack(delivery(tag)));
    }
    this.acked.clear();
  }

  private forget(tag: number): void {
    const at = this.open.indexOf(tag);
    if (at >= 0) this.open.splice(at, 1);
  }

  private send(settle: () => void): void {
    try {
      settle();
    } catch {
      // IllegalOperationError: channel closed; the broker requeues what it delivered on it.
    }
  }
}

function delivery(deliveryTag: number): ConsumeMessage {
  return { fields: { deliveryTag } } as ConsumeMessage;
}
