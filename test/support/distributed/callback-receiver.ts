import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';

/** One POST the receiver got, and the status it answered with. */
export interface ReceivedCallback {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  answeredWith: number;
}

/**
 * A local HTTP server (127.0.0.1, a free port) standing in for a caller's callback endpoint. It records every
 * request; by default it answers 200, or, for a path given a script, the scripted statuses first (e.g.
 * `[500]`: the first try fails, the next ones succeed).
 */
export class CallbackReceiver {
  private readonly received: ReceivedCallback[] = [];
  private readonly scripts = new Map<string, number[]>();
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => this.answer(request.url ?? '', request.headers, chunks, response));
  });
  private listening = 0;

  private constructor() {}

  static async start(): Promise<CallbackReceiver> {
    const receiver = new CallbackReceiver();
    await new Promise<void>((resolve, reject) => {
      receiver.server.once('error', reject);
      receiver.server.listen(0, '127.0.0.1', resolve);
    });
    receiver.listening = (receiver.server.address() as { port: number }).port;
    return receiver;
  }

  /** The port it listens on (127.0.0.1). */
  get port(): number {
    return this.listening;
  }

  /** The URL of `path` on this receiver. */
  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Answers the next requests to `path` with these statuses, in order, then 200 again. */
  script(path: string, statuses: number[]): void {
    this.scripts.set(path, [...statuses]);
  }

  /** Every request to `path` so far, oldest first. */
  requestsTo(path: string): ReceivedCallback[] {
    return this.received.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private answer(
    path: string,
    headers: IncomingHttpHeaders,
    chunks: Buffer[],
    response: ServerResponse,
  ): void {
    const status = this.scripts.get(path)?.shift() ?? 200;
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // kept as text: the assertion on it will show what arrived
    }
    this.received.push({ path, headers, body, answeredWith: status });
    response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'try again');
  }
}
