import { Injectable, Logger, ValidationPipe } from '@nestjs/common';
import {
  Compensate,
  type CompensationContext,
  SagaCtx,
  SagaPayload,
  Task,
  type TaskContext,
  TaskRejectedError,
  sagaLog,
} from '@dta/saga';
import { type ConfirmCmd, type OrderCreated, Booking } from '../booking.contract';
import { BookingDocumentStore } from '../booking-document.store';
import { CreateBookingDto } from '../dto/create-booking.dto';
import { CompensationFaultFlags } from '../compensation-fault.flags';
import { rejectIfFaultInjected, throwIfCompensationsFail } from '../fault-injection';
import { type Order, orderIdOf, orderKey } from './order.document';

/** The order service's tasks: create, cancel (compensation) and confirm the booking's order. */
@Injectable()
export class OrderTasks {
  private readonly logger = new Logger(OrderTasks.name);

  constructor(
    private readonly documents: BookingDocumentStore,
    private readonly faults: CompensationFaultFlags,
  ) {}

  /**
   * The order service checks the booking itself rather than trust every producer of the command (another
   * orchestrator version, a worker in another language): a booking it refuses fails for good, with the field
   * messages in the saga's status.
   */
  @Task(Booking.task.createOrder)
  async createOrder(
    @SagaPayload(new ValidationPipe({ transform: true })) booking: CreateBookingDto,
    @SagaCtx() ctx: TaskContext,
  ): Promise<OrderCreated> {
    const orderId = orderIdOf(ctx.sagaId);
    const order = await this.documents.update<Order, Order>(orderKey(orderId), (current) => {
      if (current) return { result: current };
      const created: Order = {
        orderId,
        productId: booking.productId,
        quantity: booking.quantity,
        status: 'pending',
      };
      return { next: created, result: created };
    });
    this.logger.log(sagaLog(`order ${orderId} created (${order.quantity} x ${order.productId})`, ctx));
    return { orderId, productId: order.productId, quantity: order.quantity };
  }

  /** Cancels the order; an order that was never created (outcome `unknown`) has nothing to cancel. */
  @Compensate(Booking.task.createOrder)
  async cancelOrder(ctx: CompensationContext<CreateBookingDto, OrderCreated>): Promise<void> {
    // create-order's input is the booking itself, its faults included.
    throwIfCompensationsFail(ctx.input, ctx);
    await this.faults.rejectWhileSet('order', ctx.input, ctx);
    const orderId = orderIdOf(ctx.sagaId);
    const cancelled = await this.documents.update<Order, boolean>(orderKey(orderId), (current) => {
      if (!current) return { result: false };
      return current.status === 'cancelled'
        ? { result: true }
        : { next: { ...current, status: 'cancelled' }, result: true };
    });
    this.logger.log(
      sagaLog(`order ${orderId} ${cancelled ? 'cancelled' : 'was never created: nothing to cancel'}`, ctx),
    );
  }

  @Task(Booking.task.confirmOrder)
  async confirmOrder(cmd: ConfirmCmd, ctx: TaskContext): Promise<void> {
    rejectIfFaultInjected('confirm', cmd.faults, ctx);
    await this.documents.update<Order, void>(orderKey(cmd.orderId), (current) => {
      if (!current) throw new Error(`Order ${cmd.orderId} does not exist; create-order stores it first.`);
      if (current.status === 'cancelled') throw new TaskRejectedError(`order ${cmd.orderId} is cancelled`);
      return current.status === 'confirmed'
        ? { result: undefined }
        : { next: { ...current, status: 'confirmed' }, result: undefined };
    });
    this.logger.log(sagaLog(`order ${cmd.orderId} confirmed`, ctx));
  }
}
