import { Injectable, Logger } from '@nestjs/common';
import {
  Compensate,
  type CompensationContext,
  Task,
  type TaskContext,
  TaskRejectedError,
  sagaLog,
} from '@dta/saga';
import { type ReserveCmd, type Reserved, Booking } from '../booking.contract';
import { CompensationFaultFlags } from '../compensation-fault.flags';
import { delayIfSlowInventory, rejectIfFaultInjected, throwIfCompensationsFail } from '../fault-injection';
import { InventoryService } from './inventory.service';
import { OutOfStockError } from './out-of-stock.error';

/** The inventory service's tasks: reserve the booking's stock, release it on rollback. */
@Injectable()
export class InventoryTasks {
  private readonly logger = new Logger(InventoryTasks.name);

  constructor(
    private readonly inventory: InventoryService,
    private readonly faults: CompensationFaultFlags,
  ) {}

  @Task(Booking.task.reserveStock)
  async reserve(cmd: ReserveCmd, ctx: TaskContext): Promise<Reserved> {
    rejectIfFaultInjected('inventory', cmd.faults, ctx);
    await delayIfSlowInventory(cmd.faults);
    try {
      const stock = await this.inventory.reserve(cmd.orderId, cmd.productId, cmd.quantity);
      this.logger.log(sagaLog(`${cmd.quantity} x ${cmd.productId} reserved for order ${cmd.orderId}`, ctx));
      return { ...stock, quantity: cmd.quantity };
    } catch (error) {
      if (error instanceof OutOfStockError) {
        throw new TaskRejectedError(error.message, {
          productId: error.productId,
          requested: error.requested,
          available: error.available,
        });
      }
      throw error;
    }
  }

  /** Works from the task input alone: with outcome `unknown` there is no output, maybe no reservation. */
  @Compensate(Booking.task.reserveStock)
  async release(ctx: CompensationContext<ReserveCmd, Reserved>): Promise<void> {
    throwIfCompensationsFail(ctx.input.faults, ctx);
    await this.faults.rejectWhileSet('inventory', ctx.input.faults, ctx);
    const { orderId, productId, quantity } = ctx.input;
    const released = await this.inventory.release(orderId, productId);
    const what = released
      ? `${quantity} x ${productId} released`
      : `no reservation of ${productId} to release`;
    this.logger.log(sagaLog(`${what} for order ${orderId}`, ctx));
  }
}
