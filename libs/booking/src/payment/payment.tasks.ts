import { Injectable, Logger } from '@nestjs/common';
import { Compensate, type CompensationContext, Task, type TaskContext, sagaLog } from '@dta/saga';
import { type ChargeCmd, type Charged, Booking } from '../booking.contract';
import { BookingDocumentStore } from '../booking-document.store';
import { CompensationFaultFlags } from '../compensation-fault.flags';
import { rejectIfFaultInjected, throwIfCompensationsFail } from '../fault-injection';
import { type Payment, paymentIdOf, paymentKey } from './payment.document';

/** Price of one unit in the example domain. */
export const UNIT_PRICE = 10;

/** The payment service's tasks: charge the booking, refund it on rollback. */
@Injectable()
export class PaymentTasks {
  private readonly logger = new Logger(PaymentTasks.name);

  constructor(
    private readonly documents: BookingDocumentStore,
    private readonly faults: CompensationFaultFlags,
  ) {}

  @Task(Booking.task.chargePayment)
  async charge(cmd: ChargeCmd, ctx: TaskContext): Promise<Charged> {
    rejectIfFaultInjected('payment', cmd.faults, ctx);
    const paymentId = paymentIdOf(ctx.sagaId);
    const payment = await this.documents.update<Payment, Payment>(paymentKey(paymentId), (current) => {
      if (current) return { result: current };
      const charged: Payment = {
        paymentId,
        orderId: cmd.orderId,
        amount: cmd.quantity * UNIT_PRICE,
        status: 'charged',
      };
      return { next: charged, result: charged };
    });
    this.logger.log(
      sagaLog(`payment ${paymentId} of ${payment.amount} charged for order ${cmd.orderId}`, ctx),
    );
    return { paymentId, amount: payment.amount };
  }

  /** Refunds the payment; a payment that was never made (outcome `unknown`) has nothing to refund. */
  @Compensate(Booking.task.chargePayment)
  async refund(ctx: CompensationContext<ChargeCmd, Charged>): Promise<void> {
    throwIfCompensationsFail(ctx.input.faults, ctx);
    await this.faults.rejectWhileSet('payment', ctx.input.faults, ctx);
    const paymentId = paymentIdOf(ctx.sagaId);
    const refunded = await this.documents.update<Payment, boolean>(paymentKey(paymentId), (current) => {
      if (!current) return { result: false };
      return current.status === 'refunded'
        ? { result: true }
        : { next: { ...current, status: 'refunded' }, result: true };
    });
    this.logger.log(
      sagaLog(`payment ${paymentId} ${refunded ? 'refunded' : 'was never made: nothing to refund'}`, ctx),
    );
  }
}
