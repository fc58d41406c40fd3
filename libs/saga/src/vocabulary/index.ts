export * from './saga-vocabulary';
export * from './transient-fault.error';
