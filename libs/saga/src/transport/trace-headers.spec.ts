import { traceHeaders } from './trace-headers';
import { spanContextOf } from './trace-context';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('traceHeaders', () => {
  it('keeps a UUID trace id as the W3C trace id and the caller’s id as x-request-id', () => {
    const headers = traceHeaders('0F8FAD5B-D9CB-469F-A165-70867728950E');
    expect(headers['x-request-id']).toBe('0F8FAD5B-D9CB-469F-A165-70867728950E');
    expect(TRACEPARENT.exec(headers.traceparent)?.[1]).toBe('0f8fad5bd9cb469fa16570867728950e');
  });

  it('derives one W3C trace id from any other trace id, the same for every message', () => {
    const [a, b] = [traceHeaders('order-42'), traceHeaders('order-42')];
    const traceId = TRACEPARENT.exec(a.traceparent)?.[1];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(TRACEPARENT.exec(b.traceparent)?.[1]).toBe(traceId);
  });

  it('gives each message its own non-zero span id, past the random pool’s refills', () => {
    const spans = Array.from({ length: 2000 }, () => TRACEPARENT.exec(traceHeaders('t').traceparent)?.[2]);
    expect(spans.every((span) => span && span !== '0000000000000000')).toBe(true);
    expect(new Set(spans).size).toBe(spans.length);
  });
});

describe('traceHeaders with a sender span', () => {
  const sender = { traceId: '0f8fad5bd9cb469fa16570867728950e', spanId: 'b7ad6b7169203331', traceFlags: 1 };

  it('names the sender’s span when it is of the saga’s trace, keeping its sampled flag', () => {
    const headers = traceHeaders('0F8FAD5B-D9CB-469F-A165-70867728950E', sender);
    expect(headers.traceparent).toBe('00-0f8fad5bd9cb469fa16570867728950e-b7ad6b7169203331-01');
    expect(traceHeaders(sender.traceId, { ...sender, traceFlags: 0 }).traceparent).toMatch(/-00$/);
  });

  it('ignores a sender of another trace: the saga’s trace id and a random span', () => {
    const headers = traceHeaders('order-42', sender);
    expect(TRACEPARENT.exec(headers.traceparent)?.[1]).not.toBe(sender.traceId);
    expect(headers.traceparent).not.toContain(sender.spanId);
  });
});

describe('spanContextOf', () => {
  it('reads a W3C traceparent as a remote parent', () => {
    expect(spanContextOf('00-0f8fad5bd9cb469fa16570867728950e-b7ad6b7169203331-01')).toEqual({
      traceId: '0f8fad5bd9cb469fa16570867728950e',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
  });

  it.each([
    undefined,
    42,
    'garbage',
    '00-00000000000000000000000000000000-b7ad6b7169203331-01',
    '00-0f8fad5bd9cb469fa16570867728950e-0000000000000000-01',
    'ff-0f8fad5bd9cb469fa16570867728950e-b7ad6b7169203331-01',
  ])('refuses %p', (header) => {
    expect(spanContextOf(header)).toBeUndefined();
  });
});
