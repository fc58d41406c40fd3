export { grpcTask } from './grpc/grpc-task';
export type { GrpcTaskOptions, GrpcRunCall, GrpcCompensateCall } from './grpc/grpc-task.options';
export { GRPC_FAILURE_KINDS, grpcFailureKind } from './grpc/grpc-failure-kinds';
export { loadGrpcService, GRPC_LOADER_DEFAULTS } from './grpc/grpc-service.loader';
export { SagaRelayModule } from './saga-relay.module';
export { TaskRelay } from './task-relay';
export type { RelayFailureKind, RelayAnswer } from './relay-call.interface';
export { relayIdempotencyKey, type RelayHeaders, type RelayCallKind } from './relay-headers';
export * from './errors';
export { httpTask } from './http/http-task';
export type {
  HttpTaskOptions,
  HttpRunCall,
  HttpCompensateCall,
  RelayHttpMethod,
} from './http/http-task.options';
export { httpFailureKind } from './http/http-failure-kinds';
