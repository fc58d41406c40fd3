import { callbackUrlRefusal, isNonPublicAddress, redactUrl } from './callback-url.policy';
import { verifyCallbackSignature, signCallback } from './callback.signature';
import { callbackLookup } from './callback.post';

const policy = {
  hosts: ['hooks.example.com', '*.partner.io', '10.1.2.3', '127.0.0.1', 'localhost'],
  allowPrivate: false,
};

describe('callbackUrlRefusal', () => {
  it('accepts an allowed public host and a subdomain of a wildcard', () => {
    expect(callbackUrlRefusal('https://hooks.example.com/done', policy)).toBeUndefined();
    expect(callbackUrlRefusal('https://a.b.partner.io/done', policy)).toBeUndefined();
  });

  it.each([
    ['not a URL', 'nope', /http or https/],
    ['another scheme', 'ftp://hooks.example.com/x', /http or https/],
    ['a host not listed', 'https://evil.example.com/x', /not among the allowed/],
    ['the apex of a wildcard', 'https://partner.io/x', /not among the allowed/],
    ['a suffix trick', 'https://hooks.example.com.evil.io/x', /not among the allowed/],
    ['loopback IPv4, even when listed', 'http://127.0.0.1:4000/x', /loopback, link-local or private/],
    ['localhost, even when listed', 'http://localhost/x', /loopback/],
    ['a private IPv4, even when listed', 'http://10.1.2.3/x', /private/],
  ])('refuses %s', (_what, url, reason) => {
    expect(callbackUrlRefusal(url, policy)).toMatch(reason);
  });

  it('refuses every URL when no host is configured, and loopback is allowed only with allowPrivate', () => {
    expect(callbackUrlRefusal('https://hooks.example.com/x', { hosts: [], allowPrivate: true })).toMatch(
      /no callback hosts/,
    );
    expect(callbackUrlRefusal('http://127.0.0.1:4000/x', { ...policy, allowPrivate: true })).toBeUndefined();
  });
});

describe('isNonPublicAddress', () => {
  it.each([
    '0.0.0.0',
    '10.0.0.1',
    '100.64.0.1',
    '127.0.0.1',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '198.18.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    'not-an-ip',
  ])('%s is not public', (address) => expect(isNonPublicAddress(address)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111'])('%s is public', (address) =>
    expect(isNonPublicAddress(address)).toBe(false),
  );
});

describe('callbackLookup (send time, against DNS rebinding)', () => {
  const resolve = (allowPrivate: boolean, host: string) =>
    new Promise<string>((done) =>
      callbackLookup(allowPrivate)(host, {}, (error, address) =>
        done(error ? `error: ${error.message}` : (address as string)),
      ),
    );

  it('refuses a name that resolves to loopback unless private addresses are allowed', async () => {
    expect(await resolve(false, 'localhost')).toMatch(
      /error: host 'localhost' resolves to non-public address/,
    );
    expect(await resolve(true, 'localhost')).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});

describe('redactUrl', () => {
  it('never shows credentials, query or fragment', () => {
    const shown = redactUrl('https://user:s3cret@hooks.example.com:8443/done?token=abc#frag');
    expect(shown).toBe('https://***@hooks.example.com:8443/done?***#***');
    expect(shown).not.toMatch(/s3cret|user|abc|frag/);
  });
});

describe('callback signature', () => {
  const body = '{"sagaId":"x","status":"completed"}';
  const now = 1_700_000_000;

  it('is t=<unix>,v1=<HMAC-SHA256 of "<t>.<body>"> and verifies with the same secret only', () => {
    const header = signCallback('k', body, now);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyCallbackSignature('k', header, body, 300, now)).toBe(true);
    expect(verifyCallbackSignature('other', header, body, 300, now)).toBe(false);
    expect(verifyCallbackSignature('k', header, `${body} `, 300, now)).toBe(false);
    expect(verifyCallbackSignature('k', header, body, 300, now + 301)).toBe(false);
    expect(verifyCallbackSignature('k', undefined, body, 300, now)).toBe(false);
  });
});
