import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { SagaAdminModule, sagaAdminOptionsFromConfig } from '@dta/saga';
import { SagaAdminGrpcModule } from '@dta/saga/grpc';
import { Booking, BookingGrpcModule, BookingHttpModule, distributedSagaModule } from '@dta/booking';
import { SagaHealthModule } from '@dta/saga/health';
import { SagaMetricsModule } from '@dta/saga/metrics';

/**
 * The front door: REST and gRPC, starts flows through SagaClient; no saga, no task, no domain code. Serves the
 * operator API (`/admin/sagas`, `dta.SagaAdmin`) when `SAGA_ADMIN_TOKEN` is set.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    distributedSagaModule({ contracts: [Booking], orchestrate: false, workers: false }),
    BookingHttpModule,
    BookingGrpcModule,
    SagaAdminModule.forRootAsync({ inject: [ConfigService], useFactory: sagaAdminOptionsFromConfig }),
    SagaAdminGrpcModule,
    SagaHealthModule,
    SagaMetricsModule.forRoot(),
  ],
})
export class AppModule {}
