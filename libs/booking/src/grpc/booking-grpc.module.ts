import { Module } from '@nestjs/common';
import { BookingGrpcController } from './booking-grpc.controller';

/**
 * The booking system's gRPC front door, `pb.BookingService` (proto/booking.proto). Hosts no task: it needs
 * `SagaModule` (global) for `SagaClient`. Serve it with `connectBookingGrpc(app)` before
 * `app.startAllMicroservices()`.
 */
@Module({
  controllers: [BookingGrpcController],
})
export class BookingGrpcModule {}
