import type { ConfigService } from '@nestjs/config';
import { InvalidSagaOptionError } from '../errors/saga-definition.error';
import { SAGA_ADMIN_MESSAGES } from './saga-admin.messages';

/** Shortest `SAGA_ADMIN_TOKEN` accepted: a shorter one is refused at bootstrap. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/** Proto package and service of the operator API (proto/saga.proto). */
export const SAGA_ADMIN_GRPC_PACKAGE = 'dta';
export const SAGA_ADMIN_GRPC_SERVICE = 'SagaAdmin';
/** Proto file of `dta.SagaAdmin` when `SAGA_ADMIN_PROTO_PATH` is unset, relative to the working directory. */
export const DEFAULT_SAGA_ADMIN_PROTO_PATH = 'proto/saga.proto';

/** Options of `SagaAdminModule`. */
export interface SagaAdminModuleOptions {
  /**
   * The bearer token operators present (`Authorization: Bearer <token>`, gRPC metadata `authorization`), at
   * least {@link MIN_ADMIN_TOKEN_LENGTH} characters. Without one the operator API is off: `/admin/sagas` answers
   * 404 and `dta.SagaAdmin` is not served.
   * @default undefined (off)
   */
  token?: string;
}

/** The token if the operator API is on; throws if it is too short to be a credential. */
export function adminToken(options: SagaAdminModuleOptions): string | undefined {
  const token = options.token;
  if (token === undefined || token === '') return undefined;
  if (token.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new InvalidSagaOptionError(
      SAGA_ADMIN_MESSAGES.TOKEN_TOO_SHORT(token.length, MIN_ADMIN_TOKEN_LENGTH),
    );
  }
  return token;
}

/**
 * Reads `SagaAdminModule` options through `@nestjs/config`: `SAGA_ADMIN_TOKEN` (default unset: the operator
 * API is off). A token shorter than {@link MIN_ADMIN_TOKEN_LENGTH} fails the bootstrap.
 *
 * @example SagaAdminModule.forRootAsync({ inject: [ConfigService], useFactory: sagaAdminOptionsFromConfig })
 */
export function sagaAdminOptionsFromConfig(config: ConfigService): SagaAdminModuleOptions {
  const options = { token: config.get<string>('SAGA_ADMIN_TOKEN') || undefined };
  adminToken(options);
  return options;
}
