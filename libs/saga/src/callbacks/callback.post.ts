import { lookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { type CallbackUrlPolicy, callbackUrlRefusal, isNonPublicAddress } from './callback-url.policy';

/**
 * A `lookup` for the callback's socket: resolves every address of the host and refuses them all if one is not
 * public (unless `allowPrivate`), then connects to one of those checked addresses. The check and the
 * connection use the same answer, so a name that resolves to a public address at start and to a private one
 * at send time (DNS rebinding) is refused.
 */
export function callbackLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true } as LookupAllOptions, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = allowPrivate ? undefined : addresses.find((a) => isNonPublicAddress(a.address));
      if (refused || addresses.length === 0) {
        const reason = refused ? `resolves to non-public address ${refused.address}` : 'has no address';
        return callback(
          Object.assign(new Error(`host '${hostname}' ${reason}`), { code: 'EDTAREFUSED' }),
          '',
          0,
        );
      }
      if ((options as { all?: boolean }).all)
        return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * POSTs `body` to `url` once, under `policy`, within `timeoutMs` (from the connection to the end of the
 * answer). Returns `''` on a 2xx answer, else what went wrong. Redirects are not followed (a 3xx is a
 * failure): following one would reach a host the policy never checked.
 */
export function postCallback(
  url: string,
  body: string,
  headers: Record<string, string>,
  policy: CallbackUrlPolicy,
  timeoutMs: number,
): Promise<string> {
  const refusal = callbackUrlRefusal(url, policy);
  if (refusal) return Promise.resolve(`refused: ${refusal}`);
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const done = (failure: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(failure);
    };
    const request: ClientRequest = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: callbackLookup(policy.allowPrivate),
      },
      (response) => {
        const code = response.statusCode ?? 0;
        response.resume();
        response.on('end', () => {
          if (code >= 200 && code < 300) return done('');
          done(code >= 300 && code < 400 ? `HTTP ${code} (redirects are not followed)` : `HTTP ${code}`);
        });
        response.on('error', (error) => done(error.message));
      },
    );
    const timer = setTimeout(() => done(`no answer within ${timeoutMs} ms`), timeoutMs);
    request.on('error', (error) => done(error.message));
    request.end(body);
  });
}
