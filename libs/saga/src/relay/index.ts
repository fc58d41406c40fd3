export { SagaRelayModule } from './saga-relay.module';
export { TaskRelay } from './task-relay';
export type { RelayFailureKind, RelayAnswer } from './relay-call.interface';
export { relayIdempotencyKey, type RelayHeaders, type RelayCallKind } from './relay-headers';
export * from './errors';
export { httpTask } from './http/http-task';
export type {
  HttpTaskOptions,
  HttpRunCall,
  HttpCompensateCall,
  RelayHttpMethod,
} from './http/http-task.options';
export { httpFailureKind } from './http/http-failure-kinds';
