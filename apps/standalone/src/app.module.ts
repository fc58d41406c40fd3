import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { SagaAdminModule, sagaAdminOptionsFromConfig, SagaModule, sagaOptionsFromConfig } from '@dta/saga';
import { SagaAdminGrpcModule } from '@dta/saga/grpc';
import { BookingGrpcModule, BookingHttpModule, BookingModule } from '@dta/booking';
import { SagaHealthModule } from '@dta/saga/health';
import { SagaMetricsModule } from '@dta/saga/metrics';

/**
 * Every part of the booking system in one process: the REST front door, the saga's aggregators and the
 * order, payment and inventory tasks. Memory transport and store by default; RabbitMQ and Redis with
 * `SAGA_TRANSPORT=rabbitmq SAGA_STORE=redis` (see `.env.example`). The operator API (`/admin/sagas`,
 * `dta.SagaAdmin`) is served when `SAGA_ADMIN_TOKEN` is set.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    SagaModule.forRootAsync({ inject: [ConfigService], useFactory: sagaOptionsFromConfig }),
    BookingModule,
    BookingHttpModule,
    BookingGrpcModule,
    SagaAdminModule.forRootAsync({ inject: [ConfigService], useFactory: sagaAdminOptionsFromConfig }),
    SagaAdminGrpcModule,
    SagaHealthModule,
    SagaMetricsModule.forRoot(),
  ],
})
export class AppModule {}
