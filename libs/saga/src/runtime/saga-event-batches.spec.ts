import { SagaEventBatches } from './saga-event-batches';

/** A decide whose calls wait until released, recording the batches it was given. */
function gatedDecide() {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const decide = async (sagaId: string, events: string[]) => {
    batches.push(events);
    await new Promise<void>((release) => gates.push(release));
    if (events.includes('boom')) throw new Error('store down');
    return `${sagaId}:${events.join('+')}`;
  };
  const release = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batches, decide, release };
}

describe('SagaEventBatches', () => {
  it('decides the events that arrive while a batch is under way together, in order', async () => {
    const { batches, decide, release } = gatedDecide();
    const queue = new SagaEventBatches(decide, (event) => event.startsWith('op'));
    const first = queue.add('s1', 'a');
    const second = queue.add('s1', 'b');
    const third = queue.add('s1', 'c');
    const other = queue.add('s2', 'x');
    await release();
    await release();
    await release();
    await expect(first).resolves.toBe('s1:a');
    await expect(second).resolves.toBe('s1:b+c');
    await expect(third).resolves.toBe('s1:b+c');
    await expect(other).resolves.toBe('s2:x');
    expect(batches).toEqual([['a'], ['x'], ['b', 'c']]);
  });

  it('decides an event that must go alone in a batch of its own, in its turn', async () => {
    const { batches, decide, release } = gatedDecide();
    const queue = new SagaEventBatches(decide, (event) => event.startsWith('op'));
    const all = ['a', 'b', 'op1', 'c', 'op2', 'op3'].map((event) => queue.add('s1', event));
    for (let i = 0; i < 6; i++) await release();
    await Promise.all(all);
    expect(batches).toEqual([['a'], ['b'], ['op1'], ['c'], ['op2'], ['op3']]);
  });

  it('rejects the events of a failed batch only, and goes on with the next', async () => {
    const { decide, release } = gatedDecide();
    const queue = new SagaEventBatches(decide, () => false);
    const first = queue.add('s1', 'a');
    const failing = [queue.add('s1', 'boom'), queue.add('s1', 'b')];
    await release();
    await expect(first).resolves.toBe('s1:a');
    await release();
    await expect(failing[0]).rejects.toThrow('store down');
    await expect(failing[1]).rejects.toThrow('store down');
    const after = queue.add('s1', 'c');
    await release();
    await expect(after).resolves.toBe('s1:c');
  });
});
