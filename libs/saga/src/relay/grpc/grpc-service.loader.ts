import { type GrpcObject, loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import { RelayDefinitionError } from '../errors/relay-definition.error';

/**
 * How {@link loadGrpcService} reads a proto by default: camelCase field names, unset fields as their
 * defaults, 64-bit integers as numbers, enums as their names.
 */
export const GRPC_LOADER_DEFAULTS: Options = Object.freeze({
  keepCase: false,
  defaults: true,
  longs: Number,
  enums: String,
});

/**
 * The client constructor of `service` (its full name, `package.Service`) in the proto file at `protoPath`,
 * for `grpcTask({ service })`.
 *
 * @param options proto-loader options. @default {@link GRPC_LOADER_DEFAULTS}
 * @example
 * const PaymentService = loadGrpcService('proto/payment.proto', 'payment.PaymentService');
 */
export function loadGrpcService(
  protoPath: string,
  service: string,
  options: Options = GRPC_LOADER_DEFAULTS,
): ServiceClientConstructor {
  let node: unknown = loadPackageDefinition(loadSync(protoPath, options));
  for (const name of service.split('.')) node = (node as GrpcObject | undefined)?.[name];
  if (typeof node !== 'function')
    throw new RelayDefinitionError(
      `loadGrpcService: ${protoPath} declares no service '${service}'. Give its full name, 'package.Service'.`,
    );
  return node as ServiceClientConstructor;
}
