import { resolveNatsTransportSettings } from './nats-transport.options';

describe('resolveNatsTransportSettings', () => {
  it('takes a user and password out of the URL (the client would ignore them) and decodes them', () => {
    const settings = resolveNatsTransportSettings({ url: 'nats://dta:p%40ss@nats:4222' });
    expect(settings.servers).toEqual(['nats://nats:4222']);
    expect(settings.auth).toEqual({ user: 'dta', pass: 'p@ss' });
  });

  it('reads a URL with a name only as a token, and leaves URLs without credentials alone', () => {
    expect(resolveNatsTransportSettings({ servers: ['nats://s3cret@a:4222', 'b:4222'] })).toMatchObject({
      servers: ['nats://a:4222', 'b:4222'],
      auth: { token: 's3cret' },
    });
    expect(resolveNatsTransportSettings({}).auth).toEqual({});
  });

  it('lets explicit options win over the URL', () => {
    const settings = resolveNatsTransportSettings({ url: 'nats://a:b@nats:4222', user: 'ops', pass: 'x' });
    expect(settings.auth).toEqual({ user: 'ops', pass: 'x' });
  });
});
