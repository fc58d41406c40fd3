/** Texts of the relays: each names the relay at fault and says how to fix it, or what happens next. */
export const RELAY_MESSAGES = {
  UNKNOWN_METHOD: (relay: string, service: string, method: string, known: string[]) =>
    `${relay}: service ${service} has no method '${method}'. Known: ${known.join(', ') || '(none)'}. Fix the method name of the relay (grpcTask run/compensate).`,
  BAD_ADDRESS: (relay: string, address: unknown) =>
    `${relay}: address is ${JSON.stringify(address)}; expected 'host:port' (gRPC) or an http(s) URL (HTTP).`,
  ASKING_AGAIN: (call: string, answer: string, key: string) =>
    `${call}: ${answer}; the call may have taken effect, asking again with idempotency key ${key}`,
  SUPERSEDED: (call: string) =>
    `${call}: the task's compensation began here; stopped asking for its outcome, the compensation undoes it`,
  PARKED: (call: string, key: string) =>
    `${call}: shutting down while the outcome of ${key} is unknown; left to the next delivery (same key)`,
};
