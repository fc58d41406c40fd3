/**
 * The booking flow as the hand-written ceiling runs it: the same steps, task inputs and outputs as the DTA
 * bench flow, carried in the messages instead of a saga state.
 */
export const CEILING_STEPS: readonly (readonly CeilingTask[])[] = [
  ['create-order'],
  ['charge-payment', 'reserve-stock'],
  ['confirm-order'],
];

export type CeilingTask = 'create-order' | 'charge-payment' | 'reserve-stock' | 'confirm-order';

export interface CeilingInput {
  productId: string;
  quantity: number;
}

/** What travels with a saga from message to message. */
export interface CeilingContext {
  input: CeilingInput;
  /** The driver's result queue. */
  replyTo: string;
  orderId?: string;
}

export interface CeilingStart {
  sagaId: string;
  input: CeilingInput;
  replyTo: string;
}

export interface CeilingTaskMessage {
  sagaId: string;
  step: number;
  task: CeilingTask;
  input: unknown;
  ctx: CeilingContext;
}

export interface CeilingReply {
  sagaId: string;
  step: number;
  task: CeilingTask;
  output: unknown;
  ctx: CeilingContext;
}

export interface CeilingResult {
  sagaId: string;
  status: 'completed';
}

/** A task's input, as the DTA bench saga's step methods build it. */
export function ceilingTaskInput(task: CeilingTask, ctx: CeilingContext): unknown {
  const { productId, quantity } = ctx.input;
  const orderId = ctx.orderId ?? '';
  switch (task) {
    case 'create-order':
      return ctx.input;
    case 'charge-payment':
    case 'reserve-stock':
      return { orderId, productId, quantity };
    case 'confirm-order':
      return { orderId };
  }
}

/** A task's output, as the DTA bench's no-op handlers return it. */
export function ceilingTaskOutput(message: CeilingTaskMessage): unknown {
  const { productId, quantity } = message.ctx.input;
  const orderId = message.ctx.orderId ?? '';
  switch (message.task) {
    case 'create-order':
      return { orderId: `ord-${message.sagaId}`, productId, quantity };
    case 'charge-payment':
      return { paymentId: `pay-${orderId}`, amount: quantity * 10 };
    case 'reserve-stock':
      return { productId, quantity };
    case 'confirm-order':
      return null;
  }
}
