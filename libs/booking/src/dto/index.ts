export { CreateBookingDto } from './create-booking.dto';
export {
  FAULT_TARGETS,
  type FaultInject,
  type FaultTarget,
  IsEpochMilliseconds,
  IsFaultInject,
  IsProductId,
  IsQuantity,
  isFaultInject,
  isProductId,
  PRODUCT_ID_PATTERN,
} from './booking-input.validators';
