import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryTransport } from './memory.transport';
import { WIRE_VERSION, type LifecycleEvent, type TaskMessage } from '../saga-messages';
import { describeSagaTransportContract, eventually } from '../saga-transport.contract';
import { sampleTask as task } from '../testing/sample-messages';
import { traceLinkage } from '../testing/trace-linkage';
import { withTracingSdk } from '../testing/tracing-sdk';

describeSagaTransportContract('MemoryTransport', async ({ prefix, ...settings }) => {
  const transport = new MemoryTransport({ prefix, ...settings });
  return {
    transport,
    injectRaw: async (queue, body) => transport.injectRaw(queue, body),
    deadLetters: async () => transport.deadLetters.map((dead) => ({ ...dead })),
    watchEvents: async (pattern) => {
      const events: LifecycleEvent[] = [];
      transport.subscribeEvents(pattern, (event) => events.push(event));
      return () => events;
    },
    dispose: () => transport.close(),
  };
});

describe('MemoryTransport', () => {
  let transport: MemoryTransport;

  beforeEach(() => {
    transport = new MemoryTransport({ redeliveryDelayMs: 10 });
  });

  afterEach(() => transport.close());

  describe('with an OpenTelemetry SDK registered', () => {
    withTracingSdk();

    it('runs a handler as a child of the span that sent its message (the traceparent header)', async () => {
      const { sender, handler } = await traceLinkage(transport);
      expect(handler).toEqual({ ...sender, isRemote: true });
    });
  });

  it('alternates between the consumers of one queue', async () => {
    const seen: string[] = [];
    await transport.consumeTasks('trip', 'book-hotel', async () => void seen.push('a'));
    await transport.consumeTasks('trip', 'book-hotel', async () => void seen.push('b'));
    for (let n = 1; n <= 4; n++) await transport.sendTask(task(n));
    await eventually(() => seen.length === 4, 'four deliveries');
    expect(seen).toEqual(['a', 'b', 'a', 'b']);
  });

  it('hands each handler its own copy of the message', async () => {
    const got: TaskMessage[] = [];
    const inputs: unknown[] = [];
    const handler = async (m: TaskMessage) => {
      inputs.push(structuredClone(m.input));
      got.push(m);
      (m.input as { n: number }).n = 99;
    };
    await transport.consumeTasks('trip', 'book-hotel', handler);
    const sent = task(1);
    await transport.sendTask(sent);
    await transport.sendTask(sent);
    await eventually(() => got.length === 2, 'two deliveries');
    expect(got[0]).not.toBe(got[1]);
    expect(inputs).toEqual([{ n: 1 }, { n: 1 }]);
    expect(sent.input).toEqual({ n: 1 });
  });

  it('counts the messages waiting in a queue', async () => {
    await transport.sendTask(task(1));
    await transport.sendTask(task(2));
    expect(transport.readyCount(transport.topology.taskQueue('trip', 'book-hotel'))).toBe(2);
    expect(transport.readyCount(transport.topology.taskQueue('trip', 'book-car'))).toBe(0);
  });

  it('puts a failed message at the back of its queue, as RabbitMqTransport republishes it', async () => {
    const seen: string[] = [];
    await transport.sendTask(task(1));
    await transport.sendTask(task(2));
    await transport.consumeTasks(
      'trip',
      'book-hotel',
      async (m) => {
        seen.push(m.sagaId);
        if (seen.length === 1) throw new Error('transient');
      },
      { prefetch: 1 },
    );
    await eventually(() => seen.length === 3, 'three deliveries');
    expect(seen).toEqual(['saga-1', 'saga-2', 'saga-1']);
  });

  it('matches event patterns word by word, * for one word and # for any', async () => {
    const seen: Record<string, string[]> = { 'trip.*': [], '#': [], 'trip.step.#': [], trip: [] };
    for (const pattern of Object.keys(seen)) {
      transport.subscribeEvents(pattern, (e) => seen[pattern].push(e.type));
    }
    const event = (type: LifecycleEvent['type']): LifecycleEvent => ({
      v: WIRE_VERSION,
      sagaId: 's',
      flow: 'trip',
      traceId: 't',
      type,
      at: 0,
    });
    await transport.publishEvent(event('started'));
    await transport.publishEvent(event('step-completed'));
    await eventually(() => seen['#'].length === 2, 'both events');
    await sleep(5);
    expect(seen).toEqual({
      'trip.*': ['started', 'step-completed'],
      '#': ['started', 'step-completed'],
      'trip.step.#': [],
      trip: [],
    });
  });

  it('stops listening when a subscription ends', async () => {
    const seen: LifecycleEvent[] = [];
    const end = transport.subscribeEvents('#', (e) => seen.push(e));
    end();
    await transport.publishEvent({
      v: WIRE_VERSION,
      sagaId: 's',
      flow: 'trip',
      traceId: 't',
      type: 'stalled',
      at: 0,
    });
    await sleep(5);
    expect(seen).toEqual([]);
  });
});
