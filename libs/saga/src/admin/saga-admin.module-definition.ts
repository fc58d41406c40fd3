import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SagaAdminModuleOptions } from './saga-admin.options';

export const {
  ConfigurableModuleClass: SagaAdminConfigurableModule,
  MODULE_OPTIONS_TOKEN: SAGA_ADMIN_OPTIONS,
} = new ConfigurableModuleBuilder<SagaAdminModuleOptions>().setClassMethodName('forRoot').build();
