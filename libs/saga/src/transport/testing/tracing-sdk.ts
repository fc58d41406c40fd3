import { context, propagation, trace } from '@opentelemetry/api';
import { NodeTracerProvider, type NodeTracerConfig } from '@opentelemetry/sdk-trace-node';

/**
 * Registers an OpenTelemetry SDK (with the AsyncLocalStorage context manager and the W3C propagator) for the
 * enclosing `describe` block, and takes it away after, for the specs of what DTA does when a user traces.
 * Spec-only: the package build leaves it out (it needs the SDK, a dev dependency).
 */
export function withTracingSdk(config?: NodeTracerConfig): void {
  beforeAll(() => new NodeTracerProvider(config).register());
  afterAll(() => {
    trace.disable();
    context.disable();
    propagation.disable();
  });
}
