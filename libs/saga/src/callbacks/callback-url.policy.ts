import { BlockList, isIP } from 'node:net';

/** Which callback URLs a deployment accepts (`callbackHosts`, `callbackAllowPrivate`). */
export interface CallbackUrlPolicy {
  /** Exact host names, `*.example.com` (any subdomain, not the apex) or `*` (any host). Empty: none. */
  hosts: readonly string[];
  /** Let callbacks reach non-public addresses (loopback, link-local, private, unique-local, ...). */
  allowPrivate: boolean;
}

/**
 * Addresses a callback must not reach unless `allowPrivate`: anything that is not a public unicast address.
 * IPv4: this network, RFC 1918, CGNAT, loopback, link-local (cloud metadata at 169.254.169.254), IETF and
 * benchmarking ranges, multicast and reserved. IPv6: unspecified, loopback, IPv4-mapped, unique-local,
 * link-local, site-local, multicast, documentation.
 */
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/** Whether `address` (a literal IPv4 or IPv6 address) is outside the public unicast space. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  // IPv4-mapped (::ffff:a.b.c.d, also written ::ffff:7f00:1): never a callback's address. Not a BlockList rule,
  // which would also match every IPv4 address (BlockList checks IPv4 against IPv6 rules as mapped).
  if (family === 6 && /^[0:]*ffff:/i.test(address)) return true;
  return NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The host of a URL without IPv6 brackets, lower case. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

function hostAllowed(host: string, hosts: readonly string[]): boolean {
  return hosts.some(
    (pattern) =>
      pattern === '*' ||
      pattern === host ||
      (pattern.startsWith('*.') && host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1),
  );
}

/**
 * Why `raw` may not be used as a callback URL under `policy`, or `undefined` when it may: http(s) only, a host
 * the policy names, and, unless `allowPrivate`, neither a non-public literal address nor `localhost`. A host
 * name is checked again on every resolved address when the callback is sent (`callbackLookup`), against
 * DNS rebinding.
 */
export function callbackUrlRefusal(raw: unknown, policy: CallbackUrlPolicy): string | undefined {
  if (typeof raw !== 'string' || !URL.canParse(raw)) return 'must be an http or https URL';
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (policy.hosts.length === 0)
    return 'is not accepted: this server sends no callbacks (no callback hosts configured)';
  const host = urlHost(url);
  if (!hostAllowed(host, policy.hosts)) return `host '${host}' is not among the allowed callback hosts`;
  if (policy.allowPrivate) return undefined;
  const loopbackName = host === 'localhost' || host.endsWith('.localhost');
  if (loopbackName || (isIP(host) !== 0 && isNonPublicAddress(host))) {
    return `host '${host}' is a loopback, link-local or private address`;
  }
  return undefined;
}

/**
 * A URL safe to log: scheme, host, port and path only; user name, password, query and fragment (which may
 * carry tokens) are replaced by `***`.
 */
export function redactUrl(raw: string): string {
  if (!URL.canParse(raw)) return '(invalid URL)';
  const url = new URL(raw);
  const credentials = url.username || url.password ? '***@' : '';
  return `${url.protocol}//${credentials}${url.host}${url.pathname}${url.search ? '?***' : ''}${url.hash ? '#***' : ''}`;
}
