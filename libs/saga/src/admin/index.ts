export { SagaAdminModule } from './saga-admin.module';
export { SagaAdminGuard } from './saga-admin.guard';
export { SagaAdminController } from './saga-admin.controller';
export { SagaAdminGrpcController, type SagaAdminGrpcSaga } from './saga-admin-grpc.controller';
export { SagaAdminExceptionFilter } from './saga-admin-exception.filter';
export { SagaAdminGrpcExceptionFilter } from './saga-admin-grpc-exception.filter';
export { SagaAdminRequestError } from './saga-admin-request.error';
export { sagaAdminGrpcPackage, type GrpcPackage } from './saga-admin-grpc.options';
export {
  DEFAULT_SAGA_ADMIN_PROTO_PATH,
  MIN_ADMIN_TOKEN_LENGTH,
  SAGA_ADMIN_GRPC_PACKAGE,
  SAGA_ADMIN_GRPC_SERVICE,
  type SagaAdminModuleOptions,
  sagaAdminOptionsFromConfig,
} from './saga-admin.options';
export { DEFAULT_OPERATOR } from './saga-admin.input';
