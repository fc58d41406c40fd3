import { SagaTopology } from '../saga-topology';
import { NatsTopology } from './nats-topology';
import { topicMatches } from '../topic-matches';

const settings = { instanceQueueExpiresMs: 600_000, duplicateWindowMs: 120_000, ackWaitMs: 30_000 };

describe('NatsTopology', () => {
  const names = new SagaTopology('dta');
  const nats = new NatsTopology(names, settings);

  it('names three streams after the prefix, with subjects that never overlap', () => {
    const streams = nats.streams();
    expect(streams.map((s) => [s.name, s.subjects, s.retention])).toEqual([
      ['dta-queues', ['dta.q.>'], 'workqueue'],
      ['dta-results', ['dta.r.>'], 'workqueue'],
      ['dta-events', ['dta.e.>'], 'interest'],
    ]);
    expect(streams[1].max_age).toBe(600_000 * 1_000_000);
    expect(streams.every((s) => s.storage === 'file')).toBe(true);
  });

  it('puts shared queues in the queues stream and results in the results stream, one durable each', () => {
    expect(nats.queue({ name: names.taskQueue('booking', 'create-order'), lifetime: 'shared' })).toEqual({
      name: 'dta.booking.create-order',
      lifetime: 'shared',
      stream: 'dta-queues',
      subject: 'dta.q.booking.create-order',
      durable: 'dta_booking_create-order',
    });
    expect(nats.queue({ name: names.resultQueue('gw-1'), lifetime: 'instance' })).toMatchObject({
      stream: 'dta-results',
      subject: 'dta.r.results.gw-1',
    });
    expect(nats.deadLetterQueue.subject).toBe('dta.q.dead-letter');
  });

  it('encodes what a subject or a consumer name cannot carry, so that no two queues meet', () => {
    const odd = nats.queue({ name: names.resultQueue('host 1*>'), lifetime: 'instance' });
    expect(odd.subject).toBe('dta.r.results.host%201%2A%3E');
    expect(odd.durable).toBe('dta_results_host%201%2A%3E');
    const dotted = nats.queue({ name: 'dta.a.b_c', lifetime: 'shared' }).durable;
    const underscored = nats.queue({ name: 'dta.a_b.c', lifetime: 'shared' }).durable;
    expect(dotted).not.toBe(underscored);
    expect(new NatsTopology(new SagaTopology('my.app'), settings).queuesStream).toBe('my_app-queues');
  });

  it('gives instance consumers an inactive threshold, and event subscribers only new events', () => {
    const result = nats.consumerConfig(nats.queue({ name: names.resultQueue('gw-1'), lifetime: 'instance' }));
    expect(result).toMatchObject({ ack_policy: 'explicit', deliver_policy: 'all', max_deliver: -1 });
    expect(result.inactive_threshold).toBe(600_000 * 1_000_000);
    const task = nats.consumerConfig(nats.queue({ name: names.taskQueue('f', 't'), lifetime: 'shared' }));
    expect(task.inactive_threshold).toBeUndefined();
    const events = nats.consumerConfig(
      nats.eventQueue({ name: names.eventQueue('audit'), lifetime: 'instance' }),
    );
    expect(events).toMatchObject({
      deliver_policy: 'new',
      filter_subject: 'dta.e.>',
      durable_name: 'dta_events_audit',
    });
  });

  it('turns routing keys into event subjects and back', () => {
    expect(nats.eventSubject('booking.completed')).toBe('dta.e.booking.completed');
    expect(nats.eventKey('dta.e.booking.completed')).toBe('booking.completed');
    expect(nats.eventKey('dta.q.booking.start')).toBeUndefined();
    expect(nats.eventKey('dta.e.bad%zz.completed')).toBeUndefined();
  });
});

describe('topicMatches', () => {
  it.each([
    ['booking.#', 'booking.completed', true],
    ['booking.#', 'booking', true],
    ['*.completed', 'booking.completed', true],
    ['*.completed', 'booking.started', false],
    ['#', 'a.b.c', true],
    ['a.*', 'a.b.c', false],
  ])('%s matches %s: %s', (pattern, key, expected) => {
    expect(topicMatches(pattern, key)).toBe(expected);
  });
});
