import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { PaymentModule, distributedSagaModule } from '@dta/booking';

/** The payment service: runs the payment tasks of the booking flow (any number of replicas). */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    distributedSagaModule({ orchestrate: false }),
    PaymentModule,
  ],
})
export class AppModule {}
