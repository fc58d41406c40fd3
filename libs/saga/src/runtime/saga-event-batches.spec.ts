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

/** Lets the current turn of the event loop end, and the batches it began start. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SagaEventBatches', () => {
  it('decides the events of one turn together, and those that arrive while a batch is under way next', async () => {
    const { batches, decide, release } = gatedDecide();
    const queue = new SagaEventBatches(decide, (event) => event.startsWith('op'));
    const first = queue.add('s1', 'a');
    // Arrives in the same turn, a few awaits later (as the second reply of one read does).
    const sameTurn = (async () => {
      await Promise.resolve();
      await Promise.resolve();
      return queue.add('s1', 'b');
    })();
    const other = queue.add('s2', 'x');
    await nextTurn();
    const later = [queue.add('s1', 'c'), queue.add('s1', 'd')];
    await release();
    await release();
    await release();
    await expect(first).resolves.toBe('s1:a+b');
    await expect(sameTurn).resolves.toBe('s1:a+b');
    await expect(other).resolves.toBe('s2:x');
    await expect(Promise.all(later)).resolves.toEqual(['s1:c+d', 's1:c+d']);
    expect(batches).toEqual([['a', 'b'], ['x'], ['c', 'd']]);
  });

  it('decides an event that must go alone in a batch of its own, in its turn', async () => {
    const { batches, decide, release } = gatedDecide();
    const queue = new SagaEventBatches(decide, (event) => event.startsWith('op'));
    const all = ['a', 'b', 'op1', 'c', 'op2', 'op3'].map((event) => queue.add('s1', event));
    for (let i = 0; i < 5; i++) await release();
    await Promise.all(all);
    expect(batches).toEqual([['a', 'b'], ['op1'], ['c'], ['op2'], ['op3']]);
  });

  it('rejects the events of a failed batch only, and goes on with the next', async () => {
    const { decide, release } = gatedDecide();
    const queue = new SagaEventBatches(decide, () => false);
    const first = queue.add('s1', 'a');
    await nextTurn();
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
