import { settledWithin } from './settled-within';

describe('settledWithin', () => {
  it('resolves once every promise settled, a rejected one too, without waiting for the limit', async () => {
    const settled: string[] = [];
    const work = [
      Promise.resolve().then(() => void settled.push('resolved')),
      Promise.reject(new Error('failed')).catch((error: Error) => {
        settled.push('rejected');
        throw error;
      }),
      new Promise<void>((resolve) => setTimeout(() => resolve(void settled.push('later')), 20)),
    ];
    // An hour's limit: waiting for it would outlast the test's timeout.
    await settledWithin(work, 3_600_000);
    expect(settled.sort()).toEqual(['later', 'rejected', 'resolved']);
  });

  it('resolves at the limit when a promise never settles', async () => {
    await expect(settledWithin([new Promise(() => undefined)], 50)).resolves.toBeUndefined();
  });
});
