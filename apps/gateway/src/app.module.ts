import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Booking, BookingGrpcModule, BookingHttpModule, distributedSagaModule } from '@dta/booking';

/** The front door: REST and gRPC, starts flows through SagaClient; no saga, no task, no domain code. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    distributedSagaModule({ contracts: [Booking], orchestrate: false, workers: false }),
    BookingHttpModule,
    BookingGrpcModule,
  ],
})
export class AppModule {}
