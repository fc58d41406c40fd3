export * from './list-sagas.query';
export * from './saga-action.body';
