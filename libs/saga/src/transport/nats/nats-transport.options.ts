import type { LoggerService } from '@nestjs/common';
import type { BrokerTransportSettings } from '../broker-transport';
import { type ResolvedDeliveryLimits, resolveDeliveryLimits } from '../message-delivery';

/** Options of {@link NatsTransport}: where the NATS servers are, and how JetStream keeps DTA's messages. */
export interface NatsTransportOptions extends BrokerTransportSettings {
  /**
   * URL of one NATS server, e.g. `nats://127.0.0.1:4222`; ignored when `servers` is given.
   * @default 'nats://127.0.0.1:4222'
   */
  url?: string;
  /**
   * Servers of a cluster (`host:port` or URLs); the client connects to any and fails over between them.
   * @default [url]
   */
  servers?: string | string[];
  /**
   * User and password, or a token, the server asks for. Credentials written in a URL
   * (`nats://user:password@host:4222`, `nats://token@host:4222`) are taken from it; these options win over them.
   * @default none, or the URL's
   */
  user?: string;
  /** Password of `user`. @default none, or the URL's */
  pass?: string;
  /** Token authentication. @default none, or the URL's */
  token?: string;
  /**
   * Name of the connection, shown by the server's monitoring (`/connz`) and `nats server report connections`.
   * @default 'dta'
   */
  name?: string;
  /**
   * Pause before a message whose handler threw (anything but `InvalidMessageError`) is published again.
   * @default 1000
   */
  redeliveryDelayMs?: number;
  /**
   * How long a `send*` (and the copy of a failed or dead-lettered message) keeps publishing, across reconnects,
   * until JetStream acknowledges it; then it rejects with `TransientFaultError`.
   * @default 10000
   */
  publishTimeoutMs?: number;
  /**
   * How long the queues of one caller instance (results) or one event subscriber live without a consumer: their
   * durable consumer goes after this long inactive (`inactive_threshold`), and a result is dropped once it is this
   * old (`max_age` of the results stream), so instances that are gone leave nothing behind while a brief
   * reconnect loses nothing.
   * @default 600000 (10 minutes)
   */
  instanceQueueExpiresMs?: number;
  /**
   * JetStream `ack_wait` of every consumer: a message a consumer took and neither acknowledged nor reported
   * as in progress for this long is delivered again (to any consumer of its queue). A handler under way reports
   * progress every third of it (`working()`), so only a consumer that died or lost its connection lets it expire.
   * @default 30000
   */
  ackWaitMs?: number;
  /**
   * JetStream `duplicate_window` of the streams: a message published again with the same id (the SHA-256 of its
   * subject and body) within this window is stored once, so a send retried after a lost acknowledgement makes
   * no duplicate. Capped at `instanceQueueExpiresMs` for the results stream (JetStream requires it).
   * @default 120000 (2 minutes, JetStream's default)
   */
  duplicateWindowMs?: number;
  /**
   * Pause between reconnection attempts (the client reconnects forever).
   * @default 1000
   */
  reconnectDelayMs?: number;
  /**
   * How long `init()` waits for the first connection before it rejects.
   * @default 5000
   */
  connectTimeoutMs?: number;
  /** Where connection and consumer trouble is logged. @default a Nest `Logger` named `NatsTransport` */
  logger?: LoggerService;
}

/** The options with every default applied (the servers as a list). */
export interface ResolvedNatsTransportSettings extends ResolvedDeliveryLimits {
  prefix: string;
  prefetch: number;
  servers: string[];
  /** Credentials for the connection, from the options or the URLs (which no longer carry them). */
  auth: { user?: string; pass?: string; token?: string };
  name: string;
  redeliveryDelayMs: number;
  publishTimeoutMs: number;
  instanceQueueExpiresMs: number;
  ackWaitMs: number;
  duplicateWindowMs: number;
  reconnectDelayMs: number;
  connectTimeoutMs: number;
}

/** Applies the defaults documented on {@link NatsTransportOptions}, in one place. */
export function resolveNatsTransportSettings(options: NatsTransportOptions): ResolvedNatsTransportSettings {
  const given = options.servers ?? options.url ?? 'nats://127.0.0.1:4222';
  const { servers, auth } = withoutCredentials(typeof given === 'string' ? [given] : [...given]);
  const { user = auth.user, pass = auth.pass, token = auth.token } = options;
  return {
    ...resolveDeliveryLimits(options),
    prefix: options.prefix ?? 'dta',
    prefetch: options.prefetch ?? 32,
    servers,
    auth: Object.fromEntries(Object.entries({ user, pass, token }).filter(([, v]) => v !== undefined)),
    name: options.name ?? 'dta',
    redeliveryDelayMs: options.redeliveryDelayMs ?? 1000,
    publishTimeoutMs: options.publishTimeoutMs ?? 10_000,
    instanceQueueExpiresMs: options.instanceQueueExpiresMs ?? 600_000,
    ackWaitMs: options.ackWaitMs ?? 30_000,
    duplicateWindowMs: options.duplicateWindowMs ?? 120_000,
    reconnectDelayMs: options.reconnectDelayMs ?? 1000,
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
  };
}

/**
 * The NATS client ignores credentials written in a server URL: take them out (the first URL that has any
 * names them) and hand them over as options. `nats://a:b@host` is a user and password, `nats://t@host` a token.
 */
function withoutCredentials(given: string[]): {
  servers: string[];
  auth: ResolvedNatsTransportSettings['auth'];
} {
  let auth: ResolvedNatsTransportSettings['auth'] = {};
  const servers = given.map((server) => {
    if (!server.includes('@')) return server;
    const url = new URL(server.includes('://') ? server : `nats://${server}`);
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    if (Object.keys(auth).length === 0 && user !== '')
      auth = url.password === '' ? { token: user } : { user, pass };
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  });
  return { servers, auth };
}
