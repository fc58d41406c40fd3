import { timingSafeEqual } from 'node:crypto';
import { bearerToken, tokenMatches } from './admin-token';

jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});
const compare = jest.mocked(timingSafeEqual);

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['Bearer   abc  ', 'abc'],
  ])('reads the token of %p', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([undefined, '', 'Basic abc', 'Bearer', 'Bearer a b', 'abc', ['Bearer abc']])(
    'finds no bearer token in %p',
    (header) => {
      expect(bearerToken(header)).toBeUndefined();
    },
  );
});

describe('tokenMatches', () => {
  const expected = 'operator-token-0123456789';

  beforeEach(() => compare.mockClear());

  it('accepts the token and refuses another, a prefix and a longer one', () => {
    expect(tokenMatches(expected, expected)).toBe(true);
    expect(compare).toHaveBeenCalledTimes(1);
    expect(tokenMatches('operator-token-0123456780', expected)).toBe(false);
    expect(tokenMatches('operator', expected)).toBe(false);
    expect(tokenMatches(`${expected}0`, expected)).toBe(false);
  });

  it('compares with timingSafeEqual over two 32-byte digests, whatever the lengths', () => {
    tokenMatches('x', expected);
    tokenMatches('y'.repeat(1000), expected);

    expect(compare).toHaveBeenCalledTimes(2);
    for (const [a, b] of compare.mock.calls) {
      expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    }
  });
});
