export * from './saga-dashboard.controller';
