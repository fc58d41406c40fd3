import { connect } from 'node:net';

/** What a probe found listening on a port. */
export type ProbeResult = 'ready' | 'absent';

const PROBE_TIMEOUT_MS = 1500;

/**
 * Opens a TCP connection, writes `hello` and resolves `ready` if the first bytes answered satisfy `accept`.
 * Connection refused, timeouts and unexpected answers resolve `absent`.
 */
function probe(
  host: string,
  port: number,
  hello: Buffer,
  accept: (answer: Buffer) => boolean,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish('absent'));
    socket.once('error', () => finish('absent'));
    socket.once('connect', () => socket.write(hello));
    socket.once('data', (answer: Buffer) => finish(accept(answer) ? 'ready' : 'absent'));
  });
}

/** Host and port of a URL (IPv6 brackets stripped), with the scheme's default port. */
export function hostAndPort(url: URL, defaultPort: number): { host: string; port: number } {
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port) || defaultPort };
}

/** A Redis answers PING with `+PONG`, or with an error (`-NOAUTH`, `-LOADING`): either way one is there. */
export function probeRedis(host: string, port: number): Promise<ProbeResult> {
  return probe(host, port, Buffer.from('*1\r\n$4\r\nPING\r\n'), (answer) => {
    const line = answer.toString('latin1');
    return line.startsWith('+PONG') || (line.startsWith('-') && !line.startsWith('-LOADING'));
  });
}

/** An AMQP 0-9-1 broker answers the protocol header with a method frame (type 1): Connection.Start. */
export function probeAmqp(host: string, port: number): Promise<ProbeResult> {
  return probe(host, port, Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]), (answer) => answer[0] === 1);
}

/** A NATS server greets every client with `INFO {...}` before the client says anything (empty hello). */
export function probeNats(host: string, port: number): Promise<ProbeResult> {
  return probe(host, port, Buffer.alloc(0), (answer) => answer.toString('latin1').startsWith('INFO '));
}

/** True when nothing accepts connections on the port any more. */
export function isPortClosed(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(PROBE_TIMEOUT_MS, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Polls `check` every `intervalMs` until it returns true, `failure` returns a reason, or `timeoutMs` passes.
 * Never throws: the caller words the failure from `reason`.
 */
export async function pollUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
  failure?: () => string | undefined,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) {
      return { ok: true };
    }
    const reason = failure?.();
    if (reason) {
      return { ok: false, reason };
    }
    if (Date.now() >= deadline) {
      return { ok: false, reason: `not ready after ${Math.round(timeoutMs / 1000)} s` };
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
