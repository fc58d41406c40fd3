import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { InventoryModule, distributedSagaModule } from '@dta/booking';

/** The inventory service: runs the inventory tasks of the booking flow (any number of replicas). */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    distributedSagaModule({ orchestrate: false }),
    InventoryModule,
  ],
})
export class AppModule {}
