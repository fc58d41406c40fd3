import { type ExecutionContext, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { Metadata, status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { SagaAdminGuard } from './saga-admin.guard';

const TOKEN = 'operator-token-0123456789';

function httpContext(authorization?: string) {
  const setHeader = jest.fn();
  const request = { method: 'GET', path: '/admin/sagas', headers: { authorization } };
  const context = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({ setHeader }) }),
  } as unknown as ExecutionContext;
  return { context, setHeader };
}

function rpcContext(authorization?: string): ExecutionContext {
  const metadata = new Metadata();
  if (authorization !== undefined) metadata.set('authorization', authorization);
  return {
    getType: () => 'rpc',
    getHandler: () => function getSaga() {},
    switchToRpc: () => ({ getContext: () => metadata }),
  } as unknown as ExecutionContext;
}

const rpcCode = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RpcException);
    return ((error as RpcException).getError() as { code: status }).code;
  }
  throw new Error('the guard let the call through');
};

describe('SagaAdminGuard', () => {
  const guard = new SagaAdminGuard({ token: TOKEN });

  it('lets a REST request with the token through', () => {
    expect(guard.canActivate(httpContext(`Bearer ${TOKEN}`).context)).toBe(true);
  });

  it.each([undefined, `Basic ${TOKEN}`, 'Bearer wrong', `Bearer ${TOKEN}x`])(
    'refuses a REST request with authorization %p: 401 and WWW-Authenticate: Bearer',
    (authorization) => {
      const { context, setHeader } = httpContext(authorization);
      expect(() => guard.canActivate(context)).toThrow(UnauthorizedException);
      expect(setHeader).toHaveBeenCalledWith('WWW-Authenticate', 'Bearer');
    },
  );

  it('lets a gRPC call with the token through, refuses others with UNAUTHENTICATED', () => {
    expect(guard.canActivate(rpcContext(`Bearer ${TOKEN}`))).toBe(true);
    expect(rpcCode(() => guard.canActivate(rpcContext()))).toBe(status.UNAUTHENTICATED);
    expect(rpcCode(() => guard.canActivate(rpcContext('Bearer wrong')))).toBe(status.UNAUTHENTICATED);
  });

  it('answers as if the API did not exist when no token is configured: 404, UNIMPLEMENTED', () => {
    const off = new SagaAdminGuard({});
    expect(() => off.canActivate(httpContext(`Bearer ${TOKEN}`).context)).toThrow(NotFoundException);
    expect(rpcCode(() => off.canActivate(rpcContext(`Bearer ${TOKEN}`)))).toBe(status.UNIMPLEMENTED);
  });

  it('refuses a token shorter than 16 characters', () => {
    expect(() => new SagaAdminGuard({ token: 'too-short' })).toThrow(/at least 16/);
  });
});
