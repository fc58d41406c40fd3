export * from './task-context.interface';
export * from './saga-status.interface';
export * from './saga-module-options.interface';
