export { SagaAdminModule } from './saga-admin.module';
export { SagaAdminGuard } from './saga-admin.guard';
export { SagaAdminController } from './saga-admin.controller';
export { SagaAdminExceptionFilter } from './saga-admin-exception.filter';
export { SagaAdminRequestError } from './saga-admin-request.error';
export {
  DEFAULT_SAGA_ADMIN_PROTO_PATH,
  MIN_ADMIN_TOKEN_LENGTH,
  SAGA_ADMIN_GRPC_PACKAGE,
  SAGA_ADMIN_GRPC_SERVICE,
  type SagaAdminModuleOptions,
  sagaAdminOptionsFromConfig,
} from './saga-admin.options';
export { DEFAULT_OPERATOR } from './saga-admin.input';
