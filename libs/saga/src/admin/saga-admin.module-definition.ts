import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SagaAdminModuleOptions } from './saga-admin.options';

export const {
  ConfigurableModuleClass: SagaAdminConfigurableModule,
  MODULE_OPTIONS_TOKEN: SAGA_ADMIN_OPTIONS,
} = new ConfigurableModuleBuilder<SagaAdminModuleOptions>()
  .setClassMethodName('forRoot')
  // Global, so that SagaAdminGrpcModule (@dta/saga/grpc) finds the guard and its options.
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
