export * from './task-context.interface';
export * from './saga-status.interface';
