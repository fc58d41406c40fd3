import type { CompensationContext, TaskContext } from '../../interfaces/task-context.interface';
import type { RelayFailureKind } from '../relay-call.interface';

/** An HTTP method a relay may call. */
export type RelayHttpMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The task's call. */
export interface HttpRunCall<I, O> {
  /** @default 'POST' */
  method?: RelayHttpMethod;
  /** Path under `baseUrl` (`/charges`), or a function of the input (`(cmd) => \`/orders/${cmd.orderId}/charge\``). */
  path: string | ((input: I, ctx: TaskContext) => string);
  /** The JSON body. @default the task input as it is */
  body?: (input: I, ctx: TaskContext) => unknown;
  /**
   * The task output for the response's JSON body (`undefined` when it has none). It must not throw: the call
   * has taken effect by then. @default the body as it is
   */
  response?: (body: unknown, input: I, ctx: TaskContext) => O;
}

/** The compensation's call. */
export interface HttpCompensateCall<I, O> {
  /** @default 'POST' */
  method?: RelayHttpMethod;
  /** Path under `baseUrl`, or a function of the compensation's context. */
  path: string | ((ctx: CompensationContext<I, O>) => string);
  /**
   * The JSON body. `ctx.output` is absent when the task's outcome is unknown: name what to undo from the
   * input. @default none
   */
  body?: (ctx: CompensationContext<I, O>) => unknown;
}

/** How `httpTask` reaches the endpoint that serves a task. */
export interface HttpTaskOptions<I, O> {
  /** `http(s)://host:port` of the service, or a function read at bootstrap. */
  baseUrl: string | (() => string);
  /** Headers sent with every call besides the relay's (e.g. an API key). @default none */
  headers?: Record<string, string>;
  /** The endpoint that runs the task. */
  run: HttpRunCall<I, O>;
  /** The endpoint that undoes it. @default none: the task must be `compensable: false` in the contract */
  compensate?: HttpCompensateCall<I, O>;
  /** Kinds of failure by status code, over {@link httpFailureKind}. @default none */
  failures?: Record<number, RelayFailureKind>;
}
