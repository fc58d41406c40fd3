/**
 * `@dta/saga/grpc`: everything that speaks gRPC, apart so that an app without gRPC loads neither `@grpc/grpc-js`
 * nor `@grpc/proto-loader` (optional peer dependencies of the package): the outcome-error filter for gRPC front
 * doors, the operator API over gRPC, and tasks relayed to a plain gRPC service.
 */
export {
  SagaGrpcExceptionFilter,
  FIELD_VIOLATION_TRAILER,
  FAILURE_DETAILS_TRAILER,
  SAGA_ID_TRAILER,
  RETRY_PUSHBACK_TRAILER,
  type GrpcErrorStatus,
} from '../filters/saga-grpc-exception.filter';
export { GrpcIdempotencyKey, GrpcTraceId } from './grpc-trace-id.decorator';
export { GrpcTraceIdInterceptor } from './grpc-trace-id.interceptor';
export { SagaAdminGrpcModule } from '../admin/saga-admin-grpc.module';
export { SagaAdminGrpcController, type SagaAdminGrpcSaga } from '../admin/saga-admin-grpc.controller';
export { SagaAdminGrpcExceptionFilter } from '../admin/saga-admin-grpc-exception.filter';
export { sagaAdminGrpcPackage, type GrpcPackage } from '../admin/saga-admin-grpc.options';
export { grpcTask } from '../relay/grpc/grpc-task';
export type { GrpcTaskOptions, GrpcRunCall, GrpcCompensateCall } from '../relay/grpc/grpc-task.options';
export { GRPC_FAILURE_KINDS, grpcFailureKind } from '../relay/grpc/grpc-failure-kinds';
export { loadGrpcService, GRPC_LOADER_DEFAULTS } from '../relay/grpc/grpc-service.loader';
