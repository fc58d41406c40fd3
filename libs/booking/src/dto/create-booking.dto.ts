import { IsOptional } from 'class-validator';
import {
  type FaultInject,
  IsEpochMilliseconds,
  IsFaultInject,
  IsProductId,
  IsQuantity,
} from './booking-input.validators';

/** Input of the booking saga: `POST /bookings` body. */
export class CreateBookingDto {
  @IsProductId()
  productId!: string;

  /** Units to book. @default 1 */
  @IsQuantity()
  quantity: number = 1;

  /** Makes a task fail for good: `true` or `'payment'` (charge-payment), `'inventory'` (reserve-stock), `'confirm'` (confirm-order). */
  @IsOptional()
  @IsFaultInject()
  faultInject?: FaultInject;

  /**
   * Makes every compensation of this booking throw a transient error until this time (epoch ms), as a
   * participant that is down for a while would; then they succeed. For fault tests (`npm run test:faults`).
   */
  @IsOptional()
  @IsEpochMilliseconds()
  failCompensationsUntil?: number;
}
