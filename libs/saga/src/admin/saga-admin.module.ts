import { Module } from '@nestjs/common';
import { SagaAdmin } from './saga-admin';
import { SagaAdminController } from './saga-admin.controller';
import { SagaAdminGrpcController } from './saga-admin-grpc.controller';
import { SagaAdminGuard } from './saga-admin.guard';
import { SagaAdminConfigurableModule } from './saga-admin.module-definition';
import { SAGA_ADMIN_OPERATIONS } from './saga-admin.operations';

/**
 * The operator API: REST `/admin/sagas` and gRPC `dta.SagaAdmin` over `SagaAdmin`, behind a bearer token. Needs
 * `SagaModule` (global). Without a token every route answers 404; serve the gRPC service with
 * `sagaAdminGrpcOptions` only when the token is set, so that it is absent (`UNIMPLEMENTED`) otherwise.
 *
 * @example
 * SagaAdminModule.forRootAsync({ inject: [ConfigService], useFactory: sagaAdminOptionsFromConfig })
 */
@Module({
  controllers: [SagaAdminController, SagaAdminGrpcController],
  providers: [SagaAdminGuard, { provide: SAGA_ADMIN_OPERATIONS, useExisting: SagaAdmin }],
})
export class SagaAdminModule extends SagaAdminConfigurableModule {}
