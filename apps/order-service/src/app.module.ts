import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { OrderModule, distributedSagaModule } from '@dta/booking';

/** The order service: runs the order tasks of the booking flow (any number of replicas). */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    distributedSagaModule({ orchestrate: false }),
    OrderModule,
  ],
})
export class AppModule {}
