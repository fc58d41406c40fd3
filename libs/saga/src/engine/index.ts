export * from './saga-state';
export * from './saga-plan';
export * from './saga-event';
export * from './saga-command';
export * from './saga-operator-action';
export * from './saga.engine';
export { backoffDelay } from './backoff';
export * from './saga-status';
