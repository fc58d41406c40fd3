import type { INestApplication, ModuleMetadata, NestApplicationOptions } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';

/** The platforms the library's controllers are specified on, for `describe.each`: Express and Fastify. */
export const HTTP_PLATFORMS: [string, () => FastifyAdapter | undefined][] = [
  ['Express', () => undefined],
  ['Fastify', () => new FastifyAdapter()],
];

/** `metadata` compiled into an initialised app on Express, or on Fastify when given its adapter. */
export async function httpTestApp(
  metadata: ModuleMetadata,
  platform?: FastifyAdapter,
  options: NestApplicationOptions = {},
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = platform
    ? moduleRef.createNestApplication<NestFastifyApplication>(platform, options)
    : moduleRef.createNestApplication(options);
  await app.init();
  if (platform) await platform.getInstance().ready();
  return app;
}
