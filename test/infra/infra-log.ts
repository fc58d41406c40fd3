/** Prints one progress line of the test infrastructure (stderr, so it shows whatever the reporter). */
export function logInfra(line: string): void {
  process.stderr.write(`[test-infra] ${line}\n`);
}

/** Milliseconds since `start` as a short human string: `850 ms`, `8.7 s`. */
export function elapsedSince(start: number): string {
  const ms = Date.now() - start;
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
