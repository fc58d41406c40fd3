import { IsOptional } from 'class-validator';
import {
  type CompensationFaultTarget,
  type FaultInject,
  IsCompensationFaultTarget,
  IsEpochMilliseconds,
  IsFaultInject,
  IsProductId,
  IsQuantity,
  IsSlowInventoryMs,
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

  /**
   * Makes the compensation of this service (`'inventory'`: reserve-stock, `'payment'`: charge-payment,
   * `'order'`: create-order) refuse (`TaskRejectedError`) until the fault is cleared with
   * `DELETE /faults/:sagaId`, so that the saga stalls and waits for an operator. Combine with
   * `faultInject: 'confirm'` to make the booking compensate at all.
   */
  @IsOptional()
  @IsCompensationFaultTarget()
  failCompensation?: CompensationFaultTarget;

  /** Makes reserve-stock wait this long (ms, at most 2500) before it reserves: a booking that runs a while. */
  @IsOptional()
  @IsSlowInventoryMs()
  slowInventoryMs?: number;
}
