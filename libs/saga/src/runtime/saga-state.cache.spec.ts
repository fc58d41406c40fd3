import type { SagaState } from '../engine/saga-state';
import { SagaStateCache } from './saga-state.cache';

const saga = (id: string, version = 1) => ({ id, version }) as SagaState;

describe('SagaStateCache', () => {
  it('keeps the newest state of each saga', () => {
    const cache = new SagaStateCache();
    cache.set(saga('a', 1));
    cache.set(saga('a', 2));
    expect(cache.get('a')?.version).toBe(2);
    expect(cache.size).toBe(1);
  });

  it('never holds more than its capacity, dropping the least recently written first', () => {
    const cache = new SagaStateCache(2);
    cache.set(saga('a'));
    cache.set(saga('b'));
    cache.set(saga('a', 2));
    cache.set(saga('c'));
    expect([cache.get('a')?.version, cache.get('b'), cache.get('c')?.id]).toEqual([2, undefined, 'c']);
    expect(cache.size).toBe(2);
  });
});
