import { ConsoleLogger, type INestApplication, Logger, type Type } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { GrpcOptions } from '@nestjs/microservices';
import { grpcOptions } from '../grpc/booking-grpc.options';
import { setupBookingHttp } from '../http/booking-http.setup';

/**
 * Nest's own logs in the format DTA's use (`SAGA_LOG_FORMAT`): one JSON object per line with `json`, so
 * that DTA's `sagaId`, `traceId`, `flow`, `step` and `task` fields land beside Nest's.
 */
function useLogFormat(app: INestApplication): void {
  const json = app.get(ConfigService).get<string>('SAGA_LOG_FORMAT') === 'json';
  app.useLogger(new ConsoleLogger({ json }));
  app.flushLogs(); // what Nest logged while creating the app, held by bufferLogs until now
}

/** Starts a front door (gateway or standalone): REST on `PORT` (default 3000) and gRPC on `GRPC_PORT`. */
export async function startFrontDoor(module: Type, name: string): Promise<void> {
  const app = await NestFactory.create(module, { bufferLogs: true });
  useLogFormat(app);
  app.enableShutdownHooks();
  setupBookingHttp(app);
  const config = app.get(ConfigService);
  const grpc = grpcOptions(config);
  app.connectMicroservice<GrpcOptions>(grpc);
  // Bootstrap hooks first (the result consumer of SagaClient), then accept calls.
  await app.init();
  await app.startAllMicroservices();
  const port = config.get<string>('PORT', '3000');
  await app.listen(port);
  Logger.log(`listening on http://localhost:${port}, gRPC on ${grpc.options.url}`, name);
}

/**
 * Starts a process with no front door (orchestrator, task service): consumers only, stopped by SIGTERM.
 * With `HEALTH_PORT` set it also listens there over HTTP, for the routes of its controllers alone
 * (`SagaHealthModule`'s `/health/live` and `/health/ready`).
 */
export async function startService(module: Type, name: string): Promise<INestApplication> {
  const app = await NestFactory.create(module, { bufferLogs: true });
  useLogFormat(app);
  app.enableShutdownHooks();
  await app.init();
  const port = app.get(ConfigService).get<string>('HEALTH_PORT');
  if (port) {
    await app.listen(port);
    Logger.log(`health on http://localhost:${port}/health/ready`, name);
  }
  Logger.log('running', name);
  return app;
}
