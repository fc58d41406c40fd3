import { SagaInputError } from '../errors/saga-outcome.error';
import { checkInputDepth, checkStartSize, valueDepth } from './saga-input.bounds';

describe('saga input bounds', () => {
  const nested = (depth: number): unknown => {
    let value: unknown = 'core';
    for (let i = 0; i < depth; i++) value = { next: value };
    return value;
  };

  it('measures nesting without recursion, at any depth, and ends on a cycle', () => {
    expect(valueDepth('flat', 10)).toBe(0);
    expect(valueDepth({ a: [1, { b: [] }] }, 10)).toBe(4);
    expect(valueDepth(nested(1_000_000), 100)).toBe(101);
    const cycle: { self?: unknown } = {};
    cycle.self = cycle;
    expect(valueDepth(cycle, 50)).toBe(51);
  });

  it('lets an input one level shallower than maxMessageDepth through, and refuses one level deeper', () => {
    expect(() => checkInputDepth('trip', nested(9), 10)).not.toThrow();
    expect(() => checkInputDepth('trip', nested(10), 10)).toThrow(SagaInputError);
  });

  it('refuses a start message over maxMessageBytes, naming its size and the option', () => {
    const start = { input: 'x'.repeat(100) };
    expect(() => checkStartSize('trip', start, 200)).not.toThrow();
    try {
      checkStartSize('trip', start, 50);
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(SagaInputError);
      expect((error as SagaInputError).fields).toEqual([
        {
          field: '(body)',
          messages: [
            'input makes a start message of 112 bytes; at most 50 are allowed (maxMessageBytes, SAGA_MAX_MESSAGE_BYTES)',
          ],
        },
      ]);
    }
  });
});
