import type { ParamsFactory } from '@nestjs/core/helpers/external-context-creator';
import { SagaParamtype } from '../decorators/saga-params.decorator';
import type { TaskHandlerMetadata } from '../decorators/task.decorator';

/**
 * Gives `@SagaPayload()` and `@SagaCtx()` their values from a handler's arguments: `(input, ctx)` for a task,
 * `(ctx, input)` for a compensation. Model: `@nestjs/microservices` `RpcParamsFactory`.
 */
export class SagaParamsFactory implements ParamsFactory {
  constructor(private readonly kind: TaskHandlerMetadata['kind']) {}

  exchangeKeyForValue(type: number, _data: unknown, args: unknown[] | undefined): unknown {
    if (!args) return undefined;
    const [payload, context] = this.kind === 'task' ? args : [args[1], args[0]];
    if (type === SagaParamtype.PAYLOAD) return payload;
    if (type === SagaParamtype.CONTEXT) return context;
    return undefined;
  }
}
