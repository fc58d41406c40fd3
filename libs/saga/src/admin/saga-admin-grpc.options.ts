import type { ConfigService } from '@nestjs/config';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DEFAULT_SAGA_ADMIN_PROTO_PATH,
  SAGA_ADMIN_GRPC_PACKAGE,
  sagaAdminOptionsFromConfig,
} from './saga-admin.options';

/** A proto package a gRPC server serves, and its file. */
export interface GrpcPackage {
  package: string;
  protoPath: string;
}

/**
 * The `dta.SagaAdmin` package to add to an app's gRPC server (`package` and `protoPath` arrays), or undefined
 * while `SAGA_ADMIN_TOKEN` is unset, so that the service is not served at all. The proto is
 * `SAGA_ADMIN_PROTO_PATH` (default `proto/saga.proto` under the working directory).
 */
export function sagaAdminGrpcPackage(config: ConfigService): GrpcPackage | undefined {
  if (sagaAdminOptionsFromConfig(config).token === undefined) return undefined;
  const protoPath = resolve(config.get<string>('SAGA_ADMIN_PROTO_PATH') || DEFAULT_SAGA_ADMIN_PROTO_PATH);
  if (!existsSync(protoPath)) {
    throw new Error(
      `The operator API proto file was not found at ${protoPath}. Start the app from the repository root or set SAGA_ADMIN_PROTO_PATH.`,
    );
  }
  return { package: SAGA_ADMIN_GRPC_PACKAGE, protoPath };
}
