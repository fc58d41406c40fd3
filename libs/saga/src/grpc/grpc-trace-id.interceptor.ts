import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import type { Observable } from 'rxjs';
import { isTraceId, TRACE_ID_HEADER } from '../http/trace-id.middleware';
import { IDEMPOTENCY_KEY_METADATA } from './grpc-trace-id.decorator';

/**
 * The gRPC twin of `sagaTraceId`: takes the trace id from the `x-request-id` metadata, or generates
 * one (a UUID), puts it back in the call's metadata for `@GrpcTraceId()`, and sends it at once as response
 * metadata, so that every answer carries it, errors included. A caller's own `x-request-id` is also its
 * idempotency key (`@GrpcIdempotencyKey()`), exactly as over REST.
 */
@Injectable()
export class GrpcTraceIdInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const metadata = context.switchToRpc().getContext<Metadata>();
    const call = context.getArgByIndex<ServerUnaryCall<unknown, unknown>>(2);
    const [given] = metadata.get(TRACE_ID_HEADER);
    const traceId = isTraceId(given) ? given : randomUUID();
    metadata.set(TRACE_ID_HEADER, traceId);
    // Only a caller's own x-request-id is an idempotency key (as over REST); never one it names itself.
    metadata.remove(IDEMPOTENCY_KEY_METADATA);
    if (isTraceId(given)) metadata.set(IDEMPOTENCY_KEY_METADATA, given);
    const response = new Metadata();
    response.set(TRACE_ID_HEADER, traceId);
    call.sendMetadata(response);
    return next.handle();
  }
}
