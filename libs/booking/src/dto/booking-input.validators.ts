import { type ValidationOptions, ValidateBy } from 'class-validator';

// Each field has one validator, so that a bad field gets one message that says everything it must be.

/** Product ids become part of document keys: letters, digits, `.`, `_` and `-`, at most 64. */
export const PRODUCT_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Tasks a booking can ask to fail for good, for demos and tests. */
export const FAULT_TARGETS = ['payment', 'inventory', 'confirm'] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];

/** What `faultInject` accepts: `true` (the payment fails, as in the classic booking demo) or a task. */
export type FaultInject = boolean | FaultTarget;

/** Services whose compensation a booking can make fail until the fault is cleared (`failCompensation`). */
export const COMPENSATION_FAULT_TARGETS = ['inventory', 'payment', 'order'] as const;
export type CompensationFaultTarget = (typeof COMPENSATION_FAULT_TARGETS)[number];

export function isCompensationFaultTarget(value: unknown): value is CompensationFaultTarget {
  return COMPENSATION_FAULT_TARGETS.includes(value as CompensationFaultTarget);
}

/** Longest `slowInventoryMs`: below reserve-stock's 3 s timeout, so that the slow run still succeeds. */
export const MAX_SLOW_INVENTORY_MS = 2500;

export function isProductId(value: unknown): value is string {
  return typeof value === 'string' && PRODUCT_ID_PATTERN.test(value);
}

export function isFaultInject(value: unknown): value is FaultInject {
  return typeof value === 'boolean' || FAULT_TARGETS.includes(value as FaultTarget);
}

/** A non-empty string matching {@link PRODUCT_ID_PATTERN}. */
export function IsProductId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isProductId',
      validator: {
        validate: (value) => isProductId(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'productId'} must be a non-empty string of at most 64 letters, digits, '.', '_' or '-'`,
      },
    },
    options,
  );
}

/** Most units one booking may take: a bound, so that no quantity is beyond exact integer arithmetic. */
export const MAX_QUANTITY = 1000;

/** An integer from 1 to {@link MAX_QUANTITY}. */
export function IsQuantity(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isQuantity',
      validator: {
        validate: (value) =>
          Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_QUANTITY,
        defaultMessage: (args) =>
          `${args?.property ?? 'quantity'} must be an integer from 1 to ${MAX_QUANTITY}`,
      },
    },
    options,
  );
}

/** A boolean or one of {@link FAULT_TARGETS}. */
export function IsFaultInject(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isFaultInject',
      validator: {
        validate: (value) => isFaultInject(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'faultInject'} must be a boolean or one of ${FAULT_TARGETS.map((t) => `'${t}'`).join(', ')}`,
      },
    },
    options,
  );
}

/** A point in time as epoch milliseconds (`Date.now()`): an integer >= 0. */
export function IsEpochMilliseconds(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEpochMilliseconds',
      validator: {
        validate: (value) => Number.isSafeInteger(value) && (value as number) >= 0,
        defaultMessage: (args) =>
          `${args?.property ?? 'failCompensationsUntil'} must be a time in epoch milliseconds (an integer >= 0, as Date.now() gives)`,
      },
    },
    options,
  );
}

/** One of {@link COMPENSATION_FAULT_TARGETS}. */
export function IsCompensationFaultTarget(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCompensationFaultTarget',
      validator: {
        validate: (value) => isCompensationFaultTarget(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'failCompensation'} must be one of ${COMPENSATION_FAULT_TARGETS.map((t) => `'${t}'`).join(', ')}`,
      },
    },
    options,
  );
}

/** An integer from 0 to {@link MAX_SLOW_INVENTORY_MS}. */
export function IsSlowInventoryMs(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSlowInventoryMs',
      validator: {
        validate: (value) =>
          Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_SLOW_INVENTORY_MS,
        defaultMessage: (args) =>
          `${args?.property ?? 'slowInventoryMs'} must be an integer from 0 to ${MAX_SLOW_INVENTORY_MS}`,
      },
    },
    options,
  );
}
