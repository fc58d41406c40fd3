import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SagaHealthController } from './saga-health.controller';
import { SagaHealthIndicator } from './saga-health.indicator';
import { SAGA_HEALTH_OPTIONS, type SagaHealthOptions } from './saga-health.options';

/**
 * Health checks of an app that runs sagas, on `@nestjs/terminus`: `GET /health/live` and `GET /health/ready`
 * (`SagaHealthController`), and `SagaHealthIndicator` for your own checks. Needs `SagaModule` (global).
 * Import it as is, or with `forRoot(options)`. An app without an HTTP server (a task service) can still
 * serve them: see `HEALTH_PORT` in the README.
 *
 * @example
 * imports: [SagaModule.forRootAsync(...), SagaHealthModule]
 */
@Module({
  imports: [TerminusModule],
  controllers: [SagaHealthController],
  providers: [SagaHealthIndicator, { provide: SAGA_HEALTH_OPTIONS, useValue: {} }],
  exports: [SagaHealthIndicator],
})
export class SagaHealthModule {
  /** The module with its options (see {@link SagaHealthOptions}). */
  static forRoot(options: SagaHealthOptions = {}): DynamicModule {
    return {
      module: SagaHealthModule,
      providers: [{ provide: SAGA_HEALTH_OPTIONS, useValue: options }],
    };
  }
}
