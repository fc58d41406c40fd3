import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, trace } from '@opentelemetry/api';
import { sagaTraceId, type TracedRequest } from './trace-id.middleware';
import { withTracingSdk } from '../transport/testing/tracing-sdk';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** Runs the middleware on a request with `headers`; returns the trace id it settled on and the request. */
function traced(headers: Record<string, string>) {
  const request = { headers: { ...headers } } as unknown as IncomingMessage;
  const setHeader = jest.fn();
  const next = jest.fn();
  sagaTraceId(request, { setHeader } as unknown as ServerResponse, next);
  expect(next).toHaveBeenCalledTimes(1);
  const traceId = request.headers['x-request-id'];
  expect(setHeader).toHaveBeenCalledWith('x-request-id', traceId);
  return { traceId, given: (request as TracedRequest).traceIdGiven };
}

describe('sagaTraceId', () => {
  it('keeps the caller’s x-request-id, which also makes the start idempotent', () => {
    expect(traced({ 'x-request-id': 'order-42', traceparent: TRACEPARENT })).toEqual({
      traceId: 'order-42',
      given: true,
    });
  });

  it('takes the trace id of the request’s traceparent when there is no x-request-id', () => {
    expect(traced({ traceparent: TRACEPARENT })).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      given: false,
    });
  });

  it('makes a UUID when the request has neither (or a malformed traceparent)', () => {
    expect(traced({}).traceId).toMatch(UUID);
    expect(traced({ traceparent: '00-garbage-01' }).traceId).toMatch(UUID);
  });

  describe('with an OpenTelemetry SDK registered', () => {
    withTracingSdk();

    it('takes the trace id of the active span (the HTTP instrumentation’s) first', () => {
      const span = trace.getTracer('http').startSpan('GET /bookings');
      const { traceId } = context.with(trace.setSpan(context.active(), span), () =>
        traced({ traceparent: TRACEPARENT }),
      );
      span.end();
      expect(traceId).toBe(span.spanContext().traceId);
      expect(traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    });
  });
});
