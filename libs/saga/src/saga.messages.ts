/** User-facing texts: each names the class and method at fault and says how to fix it. */
export const SAGA_MESSAGES = {
  DUPLICATE_SAGA: (flow: string, first: string, second: string) =>
    `Saga '${flow}' is declared twice, by ${first} and ${second}. Give each flow its own contract name, or register the saga class once.`,
  DUPLICATE_STEP: (host: string, method: string, reason: string) =>
    `${host}.${method}: ${reason}. Each @Step needs its own order number and name.`,
  EMPTY_STEP: (host: string, method: string) =>
    `${host}.${method}: @Step lists no tasks. Name at least one task of the contract, e.g. @Step(1, ['createOrder']).`,
  UNKNOWN_TASK: (where: string, flow: string, task: string, known: string[]) =>
    `${where}: flow '${flow}' has no task '${task}'. Known tasks: ${known.join(', ') || '(none)'}. Add it to the contract or fix the name.`,
  TASK_IN_TWO_STEPS: (host: string, flow: string, task: string) =>
    `${host}: task '${task}' of flow '${flow}' appears in more than one @Step. A task runs in exactly one step.`,
  TASK_IN_NO_STEP: (host: string, flow: string, task: string) =>
    `${host}: task '${task}' of flow '${flow}' is declared in the contract but no @Step runs it. Add it to a step or remove it.`,
  NO_STEPS: (host: string, flow: string) =>
    `${host}: saga '${flow}' has no @Step methods. Declare at least one step.`,
  DUPLICATE_HANDLER: (kind: string, flow: string, task: string, first: string, second: string) =>
    `@${kind}('${flow}', '${task}') is declared twice, on ${first} and ${second}. Keep one handler per task in a process.`,
  COMPENSATE_WITHOUT_TASK: (where: string, flow: string, task: string) =>
    `${where}: @Compensate('${flow}', '${task}') has no @Task handler for that task in this application. Host the task here too, or move the compensation to the service that runs the task.`,
  MISSING_COMPENSATION: (where: string, flow: string, task: string) =>
    `${where}: task '${flow}/${task}' is compensable but has no @Compensate handler. Add one, or declare the task with { compensable: false } in the contract.`,
  REQUEST_SCOPED: (host: string) =>
    `${host} hosts saga handlers but is request-scoped (or depends on a request-scoped provider). Saga and task hosts must be singletons: a handler that cannot be resolved outside a request would silently skip work.`,
  EVENT_NOT_PUBLISHED: (where: string, flow: string, event: string) =>
    `${where}: @OnSagaEvent('${flow}.${event}') would never be called: flow '${flow}' publishes ${event === '*' ? 'no event' : `no '${event}' event`}. Name it in defineSaga('${flow}', { events: [...] }) (SAGA_LIFECYCLE names all six).`,
  FILTER_WITHOUT_ADAPTER:
    "SagaExceptionFilter has no HttpAdapterHost, so it cannot answer: register it as a provider ({ provide: APP_FILTER, useClass: SagaExceptionFilter }) or create it with the app's (new SagaExceptionFilter(app.get(HttpAdapterHost))).",
  MISSING_TRANSPORT_CLIENT: (transport: 'rabbitmq', cause: Error) =>
    `SagaModule: transport '${transport}' needs @golevelup/nestjs-rabbitmq and amqplib, optional peer dependencies of @dta/saga (${cause.message.split('\n')[0]}). Install them (npm install @golevelup/nestjs-rabbitmq amqplib), or choose transport 'nats' or 'memory'.`,
  INVALID_OPTION: (where: string, option: string, value: unknown, expected: string) =>
    `${where}: option '${option}' is ${JSON.stringify(value)}; expected ${expected}.`,
  UNSAFE_EVICTION_POLICY: (policy: string | undefined) =>
    `RedisSagaStore.init: the Redis server's maxmemory-policy is ${policy === undefined ? 'unknown (INFO memory did not report it)' : `'${policy}'`}, so it may evict saga state, outboxes or barrier records and lose or repeat bookings. Set 'maxmemory-policy noeviction' (redis.conf, or CONFIG SET maxmemory-policy noeviction) and give Redis enough memory; a full server then refuses writes and sagas wait instead. If the policy cannot be read but is noeviction, pass checkEvictionPolicy: false to RedisSagaStore.`,
  UNKNOWN_FLOW: (flow: string, known: string[]) =>
    `No saga contract named '${flow}' is registered. Pass the contract to SagaModule.forRoot({ contracts }) or declare it with @Saga. Known: ${known.join(', ') || '(none)'}.`,
  INVALID_INPUT: (flow: string, count: number) => `Input of saga '${flow}' is invalid (${count} field(s)).`,
  INPUT_TOO_DEEP: (max: number) =>
    `input must be nested at most ${max} levels deep (maxMessageDepth, SAGA_MAX_MESSAGE_DEPTH, less one for the start message)`,
  INPUT_TOO_LARGE: (bytes: number, max: number) =>
    `input makes a start message of ${bytes} bytes; at most ${max} are allowed (maxMessageBytes, SAGA_MAX_MESSAGE_BYTES)`,
  WAIT_EXCEEDED: (sagaId: string, waitMs: number) =>
    `Saga ${sagaId} did not finish within ${waitMs} ms; it goes on. Ask its status later.`,
  NOT_ACCEPTED: (sagaId: string, waitMs: number) =>
    `No orchestrator accepted saga ${sagaId} within ${waitMs} ms. Is an orchestrator for this flow running?`,
  ACTION_NOT_ANSWERED: (action: string, flow: string, waitMs: number) =>
    `No orchestrator of flow '${flow}' answered the ${action} action within ${waitMs} ms; it waits in the broker and applies when one runs.`,
  IDEMPOTENCY_CONFLICT: (flow: string) =>
    `This idempotency key (x-request-id) was already used for a '${flow}' request with a different body. Nothing was started; send a new key for a new request.`,
  CALLBACK_SECRET_NEEDED:
    'a secret (SAGA_CALLBACK_SECRET) whenever callbackHosts (SAGA_CALLBACK_HOSTS) is set: every callback is signed so that its receiver can tell it from a forgery',
  CALLBACK_REFUSED: (reason: string) => `callbackUrl ${reason}`,
  OVERLOADED: (flow: string, queued: number, max: number, retryAfterMs: number) =>
    `SagaClient refused a start of saga '${flow}': ${queued} starts already wait for an orchestrator (maxQueuedStarts ${max}). Retry after ${retryAfterMs} ms; to take more, run more orchestrators or raise maxQueuedStarts (SAGA_MAX_QUEUED_STARTS).`,
  UNKNOWN_SAGA: (sagaId: string) => `No saga with id '${sagaId}' (unknown, or expired after its retention).`,
  UNHOSTED_TASK: (host: string, flow: string, step: string, task: string) =>
    `${host}: step '${step}' of saga '${flow}' runs task '${task}', but no @Task handler in this application serves it, and the memory transport reaches no other process: every saga would wait for it in vain. Add a provider with @Task for '${flow}/${task}' to a module of this application (and keep SagaModule's workers on), or use transport 'rabbitmq' or 'nats' when another process hosts it.`,
  UNORCHESTRATED_FLOW: (where: string, flow: string) =>
    `${where}: no @Saga class of flow '${flow}' orchestrates it in this application (or SagaModule has orchestrate: false), and the memory transport reaches no other process: no saga of '${flow}' could ever run. Add the @Saga class of '${flow}' to a module's providers, or use transport 'rabbitmq' or 'nats' when another process orchestrates it.`,
  UNDECORATED_PARAMETER: (where: string, index: number) =>
    `${where}: parameter ${index} has no decorator while others have one (@SagaPayload(), @SagaCtx()), so Nest would pass it undefined. Decorate every parameter of the handler, or none (then it is called with (input, ctx) for @Task, (ctx, input) for @Compensate).`,
} as const;
