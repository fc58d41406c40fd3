import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { SagaModule, sagaOptionsFromConfig } from '@dta/saga';
import { BookingGrpcModule, BookingHttpModule, BookingModule } from '@dta/booking';

/**
 * Every part of the booking system in one process: the REST front door, the saga's aggregators and the
 * order, payment and inventory tasks. Memory transport and store by default; RabbitMQ and Redis with
 * `SAGA_TRANSPORT=rabbitmq SAGA_STORE=redis` (see `.env.example`).
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    SagaModule.forRootAsync({ inject: [ConfigService], useFactory: sagaOptionsFromConfig }),
    BookingModule,
    BookingHttpModule,
    BookingGrpcModule,
  ],
})
export class AppModule {}
