export * from './saga-definition.error';
export * from './saga-outcome.error';
export * from './task-rejected.error';
export * from './saga-overloaded.error';
export * from './transient-fault.error';
export * from './task-compensated.error';
export * from './barrier-hold-lost.error';
export * from './saga-action-refused.error';
