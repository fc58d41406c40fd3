import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type GrpcOptions, Transport } from '@nestjs/microservices';
import type { Server } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { sagaAdminGrpcPackage } from '@dta/saga/grpc';

/** Proto package and service of the booking front door. */
export const BOOKING_GRPC_PACKAGE = 'pb';
export const BOOKING_GRPC_SERVICE = 'BookingService';

/** Port of the gRPC server when `GRPC_PORT` is unset. */
export const DEFAULT_GRPC_PORT = 10000;
/** Proto file when `GRPC_PROTO_PATH` is unset, relative to the working directory (the repository root). */
export const DEFAULT_GRPC_PROTO_PATH = 'proto/booking.proto';

function grpcPort(config: ConfigService): number {
  const raw = config.get<string | number>('GRPC_PORT');
  if (raw === undefined || raw === '') return DEFAULT_GRPC_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `GRPC_PORT must be a port number (0 to 65535), got '${String(raw)}'. Fix the environment or .env.`,
    );
  }
  return port;
}

function protoPath(config: ConfigService): string {
  const path = resolve(config.get<string>('GRPC_PROTO_PATH') || DEFAULT_GRPC_PROTO_PATH);
  if (!existsSync(path)) {
    throw new Error(
      `The booking proto file was not found at ${path}. Start the app from the repository root or set GRPC_PROTO_PATH.`,
    );
  }
  return path;
}

/**
 * Options of the booking gRPC server (Nest's gRPC transport) from the environment: `pb.BookingService` on
 * `0.0.0.0:GRPC_PORT` (default 10000) from `GRPC_PROTO_PATH` (default `proto/booking.proto` under the
 * working directory), with server reflection on, so that `grpcurl` needs no proto file. A bad value fails
 * the bootstrap with a message naming the variable. With `SAGA_ADMIN_TOKEN` set, the same server also serves
 * the operator API `dta.SagaAdmin` (proto/saga.proto), in reflection too.
 */
export function grpcOptions(config: ConfigService): GrpcOptions {
  const admin = sagaAdminGrpcPackage(config);
  return {
    transport: Transport.GRPC,
    options: {
      package: admin ? [BOOKING_GRPC_PACKAGE, admin.package] : BOOKING_GRPC_PACKAGE,
      protoPath: admin ? [protoPath(config), admin.protoPath] : protoPath(config),
      url: `0.0.0.0:${grpcPort(config)}`,
      // Field names as in the proto (`ProductID`), unset scalars as "" and 0.
      loader: { keepCase: true, defaults: true },
      onLoadPackageDefinition: (definition: PackageDefinition, server: Pick<Server, 'addService'>) =>
        new ReflectionService(definition).addToServer(server),
    },
  };
}

/**
 * Attaches the booking gRPC server to an HTTP app (a hybrid app); it starts with `app.startAllMicroservices()`
 * and stops with `app.close()`. The app must import `BookingGrpcModule` and `ConfigModule`.
 *
 * @example
 * connectBookingGrpc(app);
 * await app.startAllMicroservices();
 * await app.listen(port);
 */
export function connectBookingGrpc(app: INestApplication): INestMicroservice {
  return app.connectMicroservice<GrpcOptions>(grpcOptions(app.get(ConfigService)));
}
