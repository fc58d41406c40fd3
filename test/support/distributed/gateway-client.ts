import type { OrderCreated, Charged, Reserved, StockLevel } from '@dta/booking';
import type { SagaStatusView } from '@dta/saga';

/** How `POST /bookings` is asked to wait. */
export type BookingMode = 'sync' | 'async' | 'throttled';

/**
 * Any body of `POST /bookings`: completed (201), accepted (202: async, or a wait budget that ran out), rolled
 * back (409) or refused (400). Fields not set by the answer at hand are absent.
 */
export interface BookingAnswerBody {
  sagaId: string;
  traceId: string;
  status?: string;
  statusUrl?: string;
  result?: {
    'create-order': OrderCreated;
    'charge-payment': Charged;
    'reserve-stock': Reserved;
    'confirm-order': null;
  };
  failedStep?: string;
  failedTask?: string;
  error?: string;
  compensated?: string[];
  message?: string[];
}

/** One HTTP answer: status, headers and the parsed JSON body. */
export interface HttpAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** A plain HTTP client of one gateway process, as any caller outside the system would use it (fetch). */
export class GatewayClient {
  constructor(
    /** `http://127.0.0.1:<port>` */
    readonly baseUrl: string,
    /** A name for messages (`gateway#1`). */
    readonly name: string,
  ) {}

  /** `POST /bookings?mode=...` with `x-request-id: traceId` when given; `signal` aborts the request. */
  async book(
    body: object,
    options: { mode?: BookingMode; traceId?: string; signal?: AbortSignal } = {},
  ): Promise<HttpAnswer<BookingAnswerBody>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.traceId) headers['x-request-id'] = options.traceId;
    const query = options.mode ? `?mode=${options.mode}` : '';
    return this.call<BookingAnswerBody>(
      'POST',
      `/bookings${query}`,
      headers,
      JSON.stringify(body),
      options.signal,
    );
  }

  /** `GET /sagas/:id` (200 with the status view, or 404). */
  async saga(sagaId: string, signal?: AbortSignal): Promise<HttpAnswer<SagaStatusView>> {
    return this.call<SagaStatusView>('GET', `/sagas/${sagaId}`, {}, undefined, signal);
  }

  /** `GET /inventory/:productId`; throws unless it answers 200. */
  async stock(productId: string, signal?: AbortSignal): Promise<StockLevel> {
    const answer = await this.call<StockLevel>('GET', `/inventory/${productId}`, {}, undefined, signal);
    if (answer.status !== 200) {
      throw new Error(`${this.name}: GET /inventory/${productId} answered ${answer.status}`);
    }
    return answer.body;
  }

  /** Any request, a JSON `body` sent as such (for the operator API and `DELETE /faults/:sagaId`). */
  async send<T>(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: object,
  ): Promise<HttpAnswer<T>> {
    const json: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    return this.call<T>(
      method,
      path,
      { ...json, ...headers },
      body === undefined ? undefined : JSON.stringify(body),
    );
  }

  private async call<T>(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: string,
    signal?: AbortSignal,
  ): Promise<HttpAnswer<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body, signal });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  }
}
