import { Module } from '@nestjs/common';
import { BookingSaga } from './booking.saga';

/** The booking flow alone: what an orchestrator imports to run the booking's aggregators. */
@Module({
  providers: [BookingSaga],
})
export class BookingSagaModule {}
