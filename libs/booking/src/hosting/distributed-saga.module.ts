import type { DynamicModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SagaModule, type SagaModuleOptions, sagaOptionsFromConfig } from '@dta/saga';

/**
 * `SagaModule` for an app of the distributed booking system: RabbitMQ and Redis unless the environment says
 * otherwise (see `.env.example`), plus what the app's role fixes (e.g. `{ orchestrate: false }`).
 */
export function distributedSagaModule(role: SagaModuleOptions = {}): DynamicModule {
  return SagaModule.forRootAsync({
    inject: [ConfigService],
    useFactory: (config: ConfigService) => ({
      ...sagaOptionsFromConfig(config, { transport: 'rabbitmq', store: 'redis' }),
      ...role,
    }),
  });
}
