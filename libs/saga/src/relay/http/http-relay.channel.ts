import { RelayDefinitionError } from '../errors/relay-definition.error';
import type { RelayAnswer, RelayCall, RelayChannel, RelayFailureKind } from '../relay-call.interface';
import type { RelayHeaders } from '../relay-headers';
import { RELAY_MESSAGES } from '../relay.messages';
import { httpFailureKind } from './http-failure-kinds';
import type { HttpTaskOptions, RelayHttpMethod } from './http-task.options';

/** What a relay asks of an endpoint: where, and with which body (both from the call's context). */
export interface HttpRelayRequest {
  path: string;
  body: unknown;
}

/** The endpoints of one HTTP service, with the base URL read at bootstrap. */
export class HttpRelayChannel implements RelayChannel {
  private baseUrl?: URL;

  constructor(
    private readonly relay: string,
    private readonly options: Pick<HttpTaskOptions<unknown, unknown>, 'baseUrl' | 'headers' | 'failures'>,
  ) {}

  open(): void {
    const { baseUrl } = this.options;
    const raw = typeof baseUrl === 'function' ? baseUrl() : baseUrl;
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new RelayDefinitionError(RELAY_MESSAGES.BAD_ADDRESS(this.relay, raw));
    this.baseUrl = url;
  }

  close(): void {
    this.baseUrl = undefined;
  }

  /** A call with `method`; its request (an {@link HttpRelayRequest}) says the path and the body. */
  method(method: RelayHttpMethod): RelayCall {
    const describe = (): string => `${method} ${this.baseUrl?.origin ?? this.relay}`;
    return {
      get describe() {
        return describe();
      },
      call: (request, headers, deadlineAt, signal) =>
        this.send(method, request as HttpRelayRequest, headers, deadlineAt, signal),
    };
  }

  private async send(
    method: RelayHttpMethod,
    { path, body }: HttpRelayRequest,
    headers: RelayHeaders,
    deadlineAt: number,
    signal: AbortSignal,
  ): Promise<RelayAnswer> {
    if (!this.baseUrl) throw new Error(`${this.relay}: called before bootstrap or after shutdown`);
    const url = new URL(
      path.replace(/^\//, ''),
      this.baseUrl.href.endsWith('/') ? this.baseUrl : `${this.baseUrl.href}/`,
    );
    const describe = `${method} ${url.pathname}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        redirect: 'manual',
        headers: {
          ...this.options.headers,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          'idempotency-key': headers['x-idempotency-key'],
          'x-request-id': headers['x-request-id'],
          traceparent: headers.traceparent,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, deadlineAt - Date.now()))]),
      });
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      const kind: RelayFailureKind = code === 'ECONNREFUSED' ? 'retryable' : 'unknown';
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return {
        kind,
        message: `${describe} got no answer: ${text}`,
        details: { httpError: typeof code === 'string' ? code : text },
      };
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return { kind: 'ok', response: parseJson(text) };
    const kind = this.options.failures?.[response.status] ?? httpFailureKind(response.status);
    return {
      kind,
      message: `${describe} answered ${response.status}: ${text.slice(0, 200) || response.statusText}`,
      details: { httpStatus: response.status, httpBody: text.slice(0, 1000) },
    };
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
