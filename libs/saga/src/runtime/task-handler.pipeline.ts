import { type ExceptionFilter, HttpException, Injectable, type Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ExternalContextCreator } from '@nestjs/core/helpers/external-context-creator';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { isObservable, lastValueFrom } from 'rxjs';
import { SagaMetadataAccessor } from '../decorators/saga-metadata.accessor';
import type { TaskHandlerMetadata } from '../decorators/task.decorator';
import { UndecoratedTaskParameterError } from '../errors/task-hosting.error';
import { TaskRejectedError } from '../errors/task-rejected.error';
import type { CompensationContext } from '../interfaces/task-context.interface';
import { SAGA_CONTEXT_TYPE } from '../saga.constants';
import { SAGA_MESSAGES } from '../saga.messages';
import { SagaParamsFactory } from './saga-params.factory';
import type { TaskHandlerBinding } from './saga.registry';

/** The provider a handler method lives on. */
export interface TaskHandlerHost {
  instance: object;
  metatype: abstract new (...args: never[]) => unknown;
  wrapper: InstanceWrapper;
}

interface BoundFilter {
  filter: ExceptionFilter;
  catches: Type<unknown>[];
}

/** Client errors that a later attempt may not meet (timeout, too early, too many requests). */
const RETRYABLE_CLIENT_STATUSES = new Set([408, 425, 429]);

/**
 * A refusal by a pipe or a guard (`HttpException` 4xx) fails the task for good: the same input meets the same
 * refusal on every retry. Its messages (a `ValidationPipe`'s, one per field) become the rejection's message.
 */
function asTaskFailure(error: unknown): unknown {
  if (!(error instanceof HttpException)) return error;
  const status = error.getStatus();
  if (status < 400 || status >= 500 || RETRYABLE_CLIENT_STATUSES.has(status)) return error;
  const response = error.getResponse();
  const message = typeof response === 'object' && 'message' in response ? response.message : undefined;
  const text = Array.isArray(message) ? message.map(String).join('; ') : error.message;
  return new TaskRejectedError(text, { httpStatus: status });
}

/**
 * Runs `@Task` / `@Compensate` handlers through Nest's enhancers, as `@nestjs/microservices` runs its handlers:
 * guards, interceptors and pipes by `ExternalContextCreator` (`@SagaPayload()` / `@SagaCtx()` parameters, or
 * positional arguments when none is decorated), then the `@UseFilters` of the method and of its class.
 *
 * Filters are picked here rather than by Nest's proxy, which would log every error no filter catches (one
 * error line per failed attempt, beside the worker's own). The app's global filters are left out: they answer
 * HTTP (or another transport) and have no response to write here. A filter that throws replaces the error,
 * one that returns a value (or an Observable/Promise of one) makes it the task's output, one that returns
 * nothing leaves the error as it was.
 */
@Injectable()
export class TaskHandlerPipeline {
  constructor(
    private readonly contextCreator: ExternalContextCreator,
    private readonly accessor: SagaMetadataAccessor,
  ) {}

  bind(
    host: TaskHandlerHost,
    method: string,
    fn: (...args: unknown[]) => unknown,
    kind: TaskHandlerMetadata['kind'],
    where: string,
  ): TaskHandlerBinding {
    this.checkParameters(host, method, fn, where);
    const target = this.contextCreator.create(
      host.instance,
      fn,
      method,
      ROUTE_ARGS_METADATA,
      new SagaParamsFactory(kind),
      undefined,
      undefined,
      { guards: true, interceptors: true, filters: false },
      SAGA_CONTEXT_TYPE,
    ) as (...args: unknown[]) => Promise<unknown>;
    const filters = this.filters(host, fn);
    const run = async (args: unknown[]): Promise<unknown> => {
      try {
        return await target(...args);
      } catch (error) {
        const context = new ExecutionContextHost(args, host.metatype as Type<unknown>, fn);
        context.setType(SAGA_CONTEXT_TYPE);
        return this.filter(error, filters, context).catch((final: unknown) => {
          throw asTaskFailure(final);
        });
      }
    };
    // A compensation also gets its task input, second: `(ctx, input)`.
    const invoke =
      kind === 'task'
        ? (...args: unknown[]) => run(args)
        : (context: unknown) => run([context, (context as CompensationContext).input]);
    return { where, invoke };
  }

  /** Once one parameter is decorated Nest fills only decorated ones: an undecorated one would be undefined. */
  private checkParameters(
    host: TaskHandlerHost,
    method: string,
    fn: (...args: unknown[]) => unknown,
    where: string,
  ): void {
    const decorated = this.accessor.getDecoratedParameters(host.metatype, method);
    if (decorated.length === 0) return;
    for (let index = 0; index < fn.length; index++) {
      if (!decorated.includes(index))
        throw new UndecoratedTaskParameterError(SAGA_MESSAGES.UNDECORATED_PARAMETER(where, index));
    }
  }

  /** Method filters before class filters, the last declared first: the order Nest picks them in. */
  private filters(host: TaskHandlerHost, fn: (...args: unknown[]) => unknown): BoundFilter[] {
    const declared = [
      ...this.accessor.getExceptionFilters(host.metatype),
      ...this.accessor.getExceptionFilters(fn),
    ].reverse();
    return declared.map((declaration) => {
      const filter = typeof declaration === 'function' ? this.instantiate(host, declaration) : declaration;
      return { filter, catches: this.accessor.getCaughtExceptions(filter) };
    });
  }

  /** A filter class, as Nest instantiated it for the host's module (with its dependencies). */
  private instantiate(host: TaskHandlerHost, type: Type<ExceptionFilter>): ExceptionFilter {
    const injected = host.wrapper.host?.injectables.get(type)?.instance as ExceptionFilter | undefined;
    // A host Nest did not scan (a factory or value provider): the filter must do without dependencies.
    return injected ?? new type();
  }

  private async filter(
    error: unknown,
    filters: BoundFilter[],
    context: ExecutionContextHost,
  ): Promise<unknown> {
    const match = filters.find(
      ({ catches }) => catches.length === 0 || catches.some((type) => error instanceof type),
    );
    if (!match) throw error;
    const returned: unknown = match.filter.catch(error, context);
    const result: unknown = isObservable(returned)
      ? await lastValueFrom(returned, { defaultValue: undefined })
      : await returned;
    if (result === undefined) throw error;
    return result;
  }
}
