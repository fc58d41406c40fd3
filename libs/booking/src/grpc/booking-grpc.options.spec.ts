import { ConfigService } from '@nestjs/config';
import { resolve } from 'node:path';
import { grpcOptions } from './booking-grpc.options';

describe('grpcOptions', () => {
  const options = (env: Record<string, string>) => grpcOptions(new ConfigService(env)).options;

  it('serves pb on 0.0.0.0:10000 from proto/booking.proto by default', () => {
    expect(options({})).toMatchObject({
      package: 'pb',
      url: '0.0.0.0:10000',
      protoPath: resolve('proto/booking.proto'),
    });
  });

  it('takes GRPC_PORT and GRPC_PROTO_PATH', () => {
    expect(options({ GRPC_PORT: '10100', GRPC_PROTO_PATH: './proto/../proto/booking.proto' })).toMatchObject({
      url: '0.0.0.0:10100',
      protoPath: resolve('proto/booking.proto'),
    });
  });

  it.each(['x', '-1', '70000', '1.5'])('fails on GRPC_PORT=%s, naming the variable', (port) => {
    expect(() => options({ GRPC_PORT: port })).toThrow(/GRPC_PORT must be a port number/);
  });

  it('fails on a proto file that is not there, saying how to fix it', () => {
    expect(() => options({ GRPC_PROTO_PATH: 'proto/nope.proto' })).toThrow(/set GRPC_PROTO_PATH/);
  });
});

describe('grpcOptions with the operator API', () => {
  const options = (env: Record<string, string>) => grpcOptions(new ConfigService(env)).options;

  it('adds dta.SagaAdmin from proto/saga.proto when SAGA_ADMIN_TOKEN is set', () => {
    expect(options({ SAGA_ADMIN_TOKEN: 'a-token-of-24-characters' })).toMatchObject({
      package: ['pb', 'dta'],
      protoPath: [resolve('proto/booking.proto'), resolve('proto/saga.proto')],
    });
  });

  it('refuses a token shorter than 16 characters at bootstrap', () => {
    expect(() => options({ SAGA_ADMIN_TOKEN: 'short' })).toThrow(/at least 16/);
  });
});
