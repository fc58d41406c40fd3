/** `@dta/saga/health`: liveness and readiness of an app that runs sagas, on `@nestjs/terminus`. */
export { SagaHealthModule } from './saga-health.module';
export { SagaHealthController } from './saga-health.controller';
export { SagaHealthIndicator } from './saga-health.indicator';
export type { SagaHealthOptions } from './saga-health.options';
