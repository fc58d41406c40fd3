/**
 * How hard the fault suite pushes: `long` (`npm run test:faults`) or `short` (`npm run test:faults:short`,
 * for CI: every scenario, smaller numbers). Chosen by `DTA_FAULTS_PROFILE`.
 */
export interface FaultProfile {
  name: 'short' | 'long';
  /** Bookings per second of each stream (there are two: one product, many products). */
  ratePerSecond: number;
  /** Bookings of each stream in the overload scenario, started as fast as the gateways accept them. */
  overloadCount: number;
  /** Requests in flight per stream in the overload scenario. */
  overloadConcurrency: number;
  /** Bounds every other stream, whatever its fault lasts. */
  maxBookingsPerStream: number;
  /** How long the stream runs before the fault, and on after it is over. */
  leadMs: number;
  tailMs: number;
  /** Outages of each task service, one scenario each. */
  serviceOutagesMs: number[];
  /** How long compensations fail in the failing-compensation scenario. */
  compensationOutageMs: number;
  /** How long the tap duplicates every command and reply. */
  duplicationMs: number;
  /** Products of the many-products stream. */
  manyProducts: number;
  /** How long after the stream's end every saga must be terminal. */
  drainMs: number;
}

const PROFILES: Record<FaultProfile['name'], FaultProfile> = {
  short: {
    name: 'short',
    ratePerSecond: 3,
    overloadCount: 40,
    overloadConcurrency: 16,
    maxBookingsPerStream: 150,
    leadMs: 1_500,
    tailMs: 1_500,
    serviceOutagesMs: [10_000],
    compensationOutageMs: 30_000,
    duplicationMs: 5_000,
    manyProducts: 20,
    drainMs: 60_000,
  },
  long: {
    name: 'long',
    ratePerSecond: 8,
    overloadCount: 400,
    overloadConcurrency: 64,
    maxBookingsPerStream: 1_500,
    leadMs: 3_000,
    tailMs: 5_000,
    serviceOutagesMs: [10_000, 120_000],
    compensationOutageMs: 30_000,
    duplicationMs: 20_000,
    manyProducts: 100,
    drainMs: 180_000,
  },
};

/** The profile `DTA_FAULTS_PROFILE` names (`short` or `long`, default `long`). */
export function faultProfileFromEnv(env: NodeJS.ProcessEnv): FaultProfile {
  const name = env.DTA_FAULTS_PROFILE || 'long';
  if (name !== 'short' && name !== 'long') {
    throw new Error(`DTA_FAULTS_PROFILE must be 'short' or 'long', got '${name}'`);
  }
  return PROFILES[name];
}
