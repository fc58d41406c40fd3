import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SAGA_METADATA, STEP_METADATA, TASK_HANDLER_METADATA } from '../saga.constants';
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
}
