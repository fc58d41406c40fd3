import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Booking, connectBookingGrpc, setupBookingHttp } from '@dta/booking';
import { AppModule } from '../../apps/standalone/src/app.module';
import { AMQP_URL, type Infra, NATS_URL, REDIS_CLUSTER_NODES, REDIS_URL } from './e2e-infra';
import { deleteBrokerTopology, deleteStoreKeys } from './infra-cleanup';

/** Environment variables a test app runs with; restored when the app closes. */
export type TestEnv = Record<string, string>;

/**
 * The e2e suites' callback receivers listen on this machine: allow them explicitly (loopback is refused by
 * default) and sign with a known secret.
 */
export const TEST_SECURITY_ENV: TestEnv = {
  SAGA_CALLBACK_HOSTS: '127.0.0.1,localhost',
  SAGA_CALLBACK_ALLOW_PRIVATE: 'true',
  SAGA_CALLBACK_SECRET: 'e2e-callback-secret',
};

/**
 * Boots the standalone AppModule (or `module`, e.g. the gateway's) as `main.ts` does (same modules, same HTTP
 * setup; with `grpc`, also the gRPC server on `GRPC_PORT`) under `env`, which is in `process.env` while the
 * app lives: `@nestjs/config` reads it.
 */
export async function startStandaloneApp(
  env: TestEnv,
  { grpc = false, module = AppModule }: { grpc?: boolean; module?: Type } = {},
): Promise<{ app: INestApplication; close: () => Promise<void> }> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  const restore = (): void => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  Object.assign(process.env, env);
  try {
    const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
    const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    setupBookingHttp(app);
    if (grpc) connectBookingGrpc(app);
    await app.init();
    if (grpc) await app.startAllMicroservices();
    return {
      app,
      close: async () => {
        try {
          await app.close();
        } finally {
          restore();
        }
      },
    };
  } catch (error) {
    restore();
    throw error;
  }
}

/**
 * Boots a booking app (see {@link startStandaloneApp}) on `infra` under `prefix`, as the caller instance
 * `<prefix>-gateway`; closing it also deletes what it declared on RabbitMQ and wrote to Redis.
 */
export async function startBookingApp(
  infra: Infra,
  prefix: string,
  env: TestEnv,
  options: { grpc?: boolean; module?: Type } = {},
): Promise<{ app: INestApplication; close: () => Promise<void> }> {
  const instanceId = `${prefix}-gateway`;
  const base = {
    SAGA_TRANSPORT: infra.transport,
    SAGA_STORE: infra.store,
    AMQP_URL,
    NATS_URL,
    REDIS_URL,
    REDIS_CLUSTER_NODES,
  };
  const started = await startStandaloneApp(
    { ...base, ...TEST_SECURITY_ENV, SAGA_PREFIX: prefix, SAGA_INSTANCE_ID: instanceId, ...env },
    options,
  );
  return {
    app: started.app,
    close: async () => {
      await started.close();
      const tasks = Object.values(Booking.task).map((t) => t.name);
      await deleteBrokerTopology(infra.transport, prefix, { name: Booking.name, tasks }, [instanceId]);
      await deleteStoreKeys(infra.store, prefix);
    },
  };
}
