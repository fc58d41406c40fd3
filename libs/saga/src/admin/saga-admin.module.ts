import { Module } from '@nestjs/common';
import { SagaDashboardController } from '../dashboard/saga-dashboard.controller';
import { SagaAdmin } from './saga-admin';
import { SagaAdminController } from './saga-admin.controller';
import { SagaAdminGuard } from './saga-admin.guard';
import { SAGA_ADMIN_OPTIONS, SagaAdminConfigurableModule } from './saga-admin.module-definition';
import { SAGA_ADMIN_OPERATIONS } from './saga-admin.operations';

/**
 * The operator API: REST `/admin/sagas` over `SagaAdmin`, behind a bearer token (and gRPC `dta.SagaAdmin` with
 * `SagaAdminGrpcModule` from `@dta/saga/grpc` beside it). Needs `SagaModule` (global); global itself. Without a
 * token every route answers 404 (gRPC: `UNIMPLEMENTED`).
 *
 * @example
 * SagaAdminModule.forRootAsync({ inject: [ConfigService], useFactory: sagaAdminOptionsFromConfig })
 */
@Module({
  controllers: [SagaAdminController, SagaDashboardController],
  providers: [SagaAdminGuard, { provide: SAGA_ADMIN_OPERATIONS, useExisting: SagaAdmin }],
  exports: [SagaAdminGuard, SAGA_ADMIN_OPERATIONS, SAGA_ADMIN_OPTIONS],
})
export class SagaAdminModule extends SagaAdminConfigurableModule {}
