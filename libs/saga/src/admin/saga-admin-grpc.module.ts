import { Module } from '@nestjs/common';
import { SagaAdminGrpcController } from './saga-admin-grpc.controller';

/**
 * The operator API over gRPC (`dta.SagaAdmin`, proto from `sagaAdminGrpcPackage`), behind the same bearer token
 * as the REST one: import it beside `SagaAdminModule`, whose guard and options it uses, in an app that serves
 * a gRPC microservice with that package.
 */
@Module({ controllers: [SagaAdminGrpcController] })
export class SagaAdminGrpcModule {}
