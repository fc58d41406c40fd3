import { type ExceptionFilter, Injectable, type Type } from '@nestjs/common';
import {
  EXCEPTION_FILTERS_METADATA,
  FILTER_CATCH_EXCEPTIONS,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { SAGA_EVENT_METADATA, SAGA_METADATA, STEP_METADATA, TASK_HANDLER_METADATA } from '../saga.constants';
import type { SagaEventHandlerMetadata } from './on-saga-event.decorator';
import type { SagaMetadata } from './saga.decorator';
import type { StepMetadata } from './step.decorator';
import type { TaskHandlerMetadata } from './task.decorator';

/** Reads DTA metadata; the one place that knows the keys. */
@Injectable()
export class SagaMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- a class or a method
  getSaga(target: Function): SagaMetadata | undefined {
    return this.reflector.get<SagaMetadata | undefined>(SAGA_METADATA, target);
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  getStep(method: Function): StepMetadata | undefined {
    return this.reflector.get<StepMetadata | undefined>(STEP_METADATA, method);
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  getTaskHandler(method: Function): TaskHandlerMetadata | undefined {
    return this.reflector.get<TaskHandlerMetadata | undefined>(TASK_HANDLER_METADATA, method);
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  getEventHandler(method: Function): SagaEventHandlerMetadata | undefined {
    return this.reflector.get<SagaEventHandlerMetadata | undefined>(SAGA_EVENT_METADATA, method);
  }

  /** `@UseFilters` of a class or a method, in declaration order. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  getExceptionFilters(target: Function): (ExceptionFilter | Type<ExceptionFilter>)[] {
    return (
      this.reflector.get<(ExceptionFilter | Type<ExceptionFilter>)[] | undefined>(
        EXCEPTION_FILTERS_METADATA,
        target,
      ) ?? []
    );
  }

  /** What a filter's `@Catch` names; none: it catches everything. */
  getCaughtExceptions(filter: ExceptionFilter): Type<unknown>[] {
    return this.reflector.get<Type<unknown>[] | undefined>(FILTER_CATCH_EXCEPTIONS, filter.constructor) ?? [];
  }

  /** Indexes of a method's parameters that carry a parameter decorator (`@SagaPayload()`, `@SagaCtx()`, custom). */
  getDecoratedParameters(host: object, method: string): number[] {
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, host, method) as
      Record<string, { index: number }> | undefined;
    return Object.values(args ?? {}).map((arg) => arg.index);
  }
}
