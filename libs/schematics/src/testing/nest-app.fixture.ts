import { SchematicTestRunner, UnitTestTree } from '@angular-devkit/schematics/testing';
import { HostTree } from '@angular-devkit/schematics';
import { join } from 'node:path';

/** The collection as the specs run it: from its sources, the factories compiled by ts-jest. */
export const COLLECTION = join(__dirname, '..', 'collection.json');

/** The app module of the fixture: the one `saga` imports its flow into. */
export const APP_MODULE = `import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';

@Module({
  imports: [ConfigModule.forRoot()],
})
export class AppModule {}
`;

/**
 * A two-project Nest workspace as the schematics see it: `api` (the default, `apps/api/src`) with an app
 * module and a `shop` module, and `worker` (`apps/worker/src`) with its own app module.
 */
export function nestWorkspace(): UnitTestTree {
  const tree = new HostTree();
  const projects = {
    api: { type: 'application', root: 'apps/api', sourceRoot: 'apps/api/src' },
    worker: { type: 'application', root: 'apps/worker', sourceRoot: 'apps/worker/src' },
  };
  tree.create('nest-cli.json', JSON.stringify({ monorepo: true, sourceRoot: 'apps/api/src', projects }));
  tree.create('package.json', JSON.stringify({ name: 'fixture', private: true }));
  tree.create('apps/api/src/app.module.ts', APP_MODULE);
  tree.create('apps/api/src/shop/shop.module.ts', APP_MODULE.replace(/AppModule/g, 'ShopModule'));
  tree.create('apps/worker/src/app.module.ts', APP_MODULE);
  return new UnitTestTree(tree);
}

/** The runner of the collection. */
export const runner = (): SchematicTestRunner => new SchematicTestRunner('@dta/schematics', COLLECTION);
