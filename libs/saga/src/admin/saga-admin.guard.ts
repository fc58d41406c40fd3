import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { Request, Response } from 'express';
import { bearerToken, tokenMatches } from './admin-token';
import { SAGA_ADMIN_MESSAGES } from './saga-admin.messages';
import { SAGA_ADMIN_OPTIONS } from './saga-admin.module-definition';
import { adminToken, type SagaAdminModuleOptions } from './saga-admin.options';

/** gRPC status codes the guard answers with (grpc-js is an optional peer, loaded only by `@dta/saga/grpc`). */
const GRPC_UNIMPLEMENTED = 12;
const GRPC_UNAUTHENTICATED = 16;

/** What the guard reads of a call's gRPC metadata. */
interface CallMetadata {
  get(key: string): unknown[];
}

/**
 * Lets an operator request through only with `Authorization: Bearer <SAGA_ADMIN_TOKEN>` (REST header, gRPC
 * metadata `authorization`), compared in constant time. Refuses with 401 + `WWW-Authenticate: Bearer` or
 * `UNAUTHENTICATED`; while no token is configured the routes answer as if they did not exist (404,
 * `UNIMPLEMENTED`).
 */
@Injectable()
export class SagaAdminGuard implements CanActivate {
  private readonly token: string | undefined;

  constructor(@Inject(SAGA_ADMIN_OPTIONS) options: SagaAdminModuleOptions) {
    this.token = adminToken(options);
  }

  canActivate(context: ExecutionContext): boolean {
    return context.getType() === 'rpc' ? this.checkRpc(context) : this.checkHttp(context);
  }

  private checkHttp(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    if (this.token === undefined) throw new NotFoundException(`Cannot ${request.method} ${request.path}`);
    const problem = this.problem(request.headers.authorization);
    if (problem === undefined) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException(problem);
  }

  private checkRpc(context: ExecutionContext): boolean {
    if (this.token === undefined) {
      const method = context.getHandler().name;
      throw new RpcException({ code: GRPC_UNIMPLEMENTED, message: SAGA_ADMIN_MESSAGES.ADMIN_OFF(method) });
    }
    const metadata = context.switchToRpc().getContext<CallMetadata>();
    const problem = this.problem(metadata.get('authorization')[0]);
    if (problem === undefined) return true;
    throw new RpcException({ code: GRPC_UNAUTHENTICATED, message: problem });
  }

  /** Why the credential is refused; undefined when it is the token. */
  private problem(authorization: unknown): string | undefined {
    const presented = bearerToken(authorization);
    if (presented === undefined) return SAGA_ADMIN_MESSAGES.MISSING_TOKEN;
    return tokenMatches(presented, this.token!) ? undefined : SAGA_ADMIN_MESSAGES.WRONG_TOKEN;
  }
}
