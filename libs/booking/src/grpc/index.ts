export { BookingGrpcModule } from './booking-grpc.module';
export { BookingGrpcController } from './booking-grpc.controller';
export type { BookingRequest, BookingResponse, GetBookingRequest } from './booking-grpc.interfaces';
export { bookingInput } from './booking-grpc.mapper';
export {
  BOOKING_GRPC_PACKAGE,
  BOOKING_GRPC_SERVICE,
  connectBookingGrpc,
  DEFAULT_GRPC_PORT,
  DEFAULT_GRPC_PROTO_PATH,
  grpcOptions,
} from './booking-grpc.options';
