import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AMQP_URL } from './support/e2e-infra';
import { deleteRabbitMqTopology } from './support/infra-cleanup';

/**
 * `@dta/saga` as another Nest app gets it: built with `tsc` (libs/saga/tsconfig.package.json), packed with
 * `npm pack`, installed from the tarball into a new Nest 12 app in a temporary folder (its dependencies from
 * the npm registry), compiled with the app's own TypeScript (module `nodenext`, as `nest new` sets it up), and
 * run: a two-step flow on the memory transport and store completes with its composed, typed result.
 */
const exec = promisify(execFile);

/** Runs a command; a failure says what it printed. */
async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ stdout: string }> {
  try {
    return await exec(command, args, { ...options, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${options.cwd}:\n${stdout}\n${stderr}`);
  }
}
const ROOT = resolve(__dirname, '..');
const LIBRARY = join(ROOT, 'libs/saga');

const APP_PACKAGE = (tarball: string) => ({
  name: 'dta-package-check',
  private: true,
  scripts: {},
  dependencies: {
    '@dta/saga': `file:${tarball}`,
    '@nestjs/common': '^12.0.0',
    '@nestjs/core': '^12.0.0',
    '@nestjs/microservices': '^12.0.0',
    ajv: '^8.17.1',
    'class-transformer': '^0.5.1',
    'class-validator': '^0.14.2',
    'reflect-metadata': '^0.2.2',
    rxjs: '^7.8.2',
  },
  devDependencies: { '@types/node': '^20.19.0', typescript: '~5.9.3' },
});

const APP_TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'ES2023',
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck: true,
    outDir: 'dist',
  },
  include: ['src'],
};

/** The flow: a contract with a composed result, its saga and the task hosts (compensations count releases). */
const APP_HOTEL = `import { Injectable } from '@nestjs/common';
import { Compensate, defineSaga, Saga, type SagaState, Step, task, Task, TaskRejectedError } from '@dta/saga';

export const Hotel = defineSaga('hotel', {
  tasks: {
    holdRoom: task<{ nights: number }, { roomId: string }>(),
    chargeCard: task<{ roomId: string; nights: number }, { paid: number }>(),
  },
  result: (s) => ({ room: s.out('holdRoom').roomId, paid: s.out('chargeCard').paid }),
});

const nightsOf = (s: SagaState<typeof Hotel>) => (s.input as { nights: number }).nights;

@Saga(Hotel)
export class HotelSaga {
  @Step(1, ['holdRoom'])
  hold(s: SagaState<typeof Hotel>) {
    return { holdRoom: { nights: nightsOf(s) } };
  }

  @Step(2, ['chargeCard'])
  charge(s: SagaState<typeof Hotel>) {
    return { chargeCard: { roomId: s.out('holdRoom').roomId, nights: nightsOf(s) } };
  }
}

export const released: string[] = [];

@Injectable()
export class HotelTasks {
  @Task(Hotel.task.holdRoom)
  hold(input: { nights: number }) {
    return { roomId: 'R-' + input.nights };
  }

  @Compensate(Hotel.task.holdRoom)
  release() {
    released.push('room');
  }

  @Task(Hotel.task.chargeCard)
  charge(input: { roomId: string; nights: number }) {
    if (input.nights > 7) throw new TaskRejectedError('card limit', { limit: 7 });
    return { paid: input.nights * 90 };
  }

  @Compensate(Hotel.task.chargeCard)
  refund() {}
}
`;

/** On the memory transport: a run, a refusal, the entries of the exports map, and what is not installed. */
const APP_MAIN = `import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SagaClient, SagaModule } from '@dta/saga';
import { validateWireMessage } from '@dta/saga/wire';
import { Hotel, HotelSaga, HotelTasks, released } from './hotel';

@Module({ imports: [SagaModule.forRoot({})], providers: [HotelSaga, HotelTasks] })
class AppModule {}

@Module({ imports: [SagaModule.forRoot({ transport: 'rabbitmq' })] })
class RabbitModule {}

const installed = (name: string) => {
  try {
    return Boolean(require.resolve(name));
  } catch {
    return false;
  }
};

async function main() {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const client = app.get(SagaClient);
  const done = await client.run(Hotel, { nights: 2 });
  const refused = await client.run(Hotel, { nights: 9 }).then(
    () => 'completed',
    (error: Error) => error.name,
  );
  await app.close();
  const rabbit = await NestFactory.createApplicationContext(RabbitModule, { logger: false, abortOnError: false })
    .then(() => 'started')
    .catch((error: Error) => error.name + ': ' + error.message);
  const nest = (await import('@nestjs/core/package.json', { with: { type: 'json' } })).default.version;
  const wire = validateWireMessage('reply', { v: 1 });
  const testing = require.resolve('@dta/saga/testing').endsWith('testing/index.js');
  // Optional peers, not installed: the root entry runs without them.
  const absent = ['@grpc/grpc-js', '@golevelup/nestjs-rabbitmq', 'amqplib'].filter((name) => !installed(name));
  console.log(JSON.stringify({ nest, result: done.result, refused, released, rabbit, wire, testing, absent }));
}

void main();
`;

/** The same flow on RabbitMQ, once the app installed its client: `AMQP_URL`, a prefix of its own. */
const APP_RABBIT = `import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SagaClient, SagaModule } from '@dta/saga';
import { Hotel, HotelSaga, HotelTasks } from './hotel';

const { AMQP_URL, PREFIX, INSTANCE } = process.env;

@Module({
  imports: [SagaModule.forRoot({ transport: 'rabbitmq', amqpUrl: AMQP_URL, prefix: PREFIX, instanceId: INSTANCE })],
  providers: [HotelSaga, HotelTasks],
})
class AppModule {}

async function main() {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const done = await app.get(SagaClient).run(Hotel, { nights: 3 });
  await app.close();
  console.log(JSON.stringify({ result: done.result }));
}

void main();
`;

/** Health and metrics over HTTP: `@dta/saga/health` on terminus 12, `@dta/saga/metrics` on prom-client. */
const APP_HTTP = `import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SagaClient, SagaModule } from '@dta/saga';
import { SagaHealthModule } from '@dta/saga/health';
import { SagaMetricsModule } from '@dta/saga/metrics';
import { Hotel, HotelSaga, HotelTasks } from './hotel';

@Module({
  imports: [SagaModule.forRoot({}), SagaHealthModule, SagaMetricsModule.forRoot()],
  providers: [HotelSaga, HotelTasks],
})
class AppModule {}

async function main() {
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  await app.get(SagaClient).run(Hotel, { nights: 2 });
  const ready = await fetch(url + '/health/ready');
  const metrics = await (await fetch(url + '/metrics')).text();
  await app.close();
  const completed = /^dta_saga_completed_total\\{flow="hotel"\\} (\\d+)$/m.exec(metrics)?.[1];
  console.log(JSON.stringify({ ready: ready.status, health: await ready.json(), completed }));
}

void main();
`;

describe('the packed library in a new Nest 12 app', () => {
  let workdir: string;

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'dta-package-'));
  });

  afterAll(async () => {
    if (workdir && !process.env.DTA_KEEP_PACKAGE_APP) await rm(workdir, { recursive: true, force: true });
  });

  /** The last line the app printed, as JSON. */
  async function runApp(app: string, main: string, env: NodeJS.ProcessEnv = {}): Promise<unknown> {
    const { stdout } = await run('node', [main], { cwd: app, env: { ...process.env, ...env } });
    return JSON.parse(stdout.trim().split('\n').at(-1)!);
  }

  it('installs from its tarball, compiles and runs a two-step flow on the memory transport', async () => {
    const pkg = join(workdir, 'pkg');
    await run('npx', ['tsc', '-p', join(LIBRARY, 'tsconfig.package.json'), '--outDir', join(pkg, 'dist')], {
      cwd: ROOT,
    });
    await copyFile(join(LIBRARY, 'package.json'), join(pkg, 'package.json'));
    await run('npm', ['pack', '--silent', '--pack-destination', workdir], { cwd: pkg });
    const tarball = (await readdir(workdir)).find((file) => file.endsWith('.tgz'));
    expect(tarball).toBe('dta-saga-0.1.0.tgz');

    const app = join(workdir, 'app');
    await mkdir(join(app, 'src'), { recursive: true });
    await writeFile(join(app, 'package.json'), JSON.stringify(APP_PACKAGE(join(workdir, tarball!)), null, 2));
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify(APP_TSCONFIG, null, 2));
    await writeFile(join(app, 'src/hotel.ts'), APP_HOTEL);
    await writeFile(join(app, 'src/main.ts'), APP_MAIN);
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'], {
      cwd: app,
    });
    await run('npx', ['tsc', '-p', '.'], { cwd: app });

    expect(await runApp(app, 'dist/main.js')).toEqual({
      nest: expect.stringMatching(/^12\./),
      result: { room: 'R-2', paid: 180 },
      refused: 'SagaCompensatedError',
      released: ['room'],
      // The RabbitMQ client is an optional peer: an app that asks for it without installing it is told how.
      rabbit: expect.stringMatching(
        /^MissingTransportClientError: SagaModule: transport 'rabbitmq' needs @golevelup\/nestjs-rabbitmq and amqplib/,
      ),
      // The other entries of the exports map: the wire schemas' validator, and the contract suites.
      wire: expect.arrayContaining([expect.stringMatching(/required property 'sagaId'/)]),
      testing: true,
      absent: ['@grpc/grpc-js', '@golevelup/nestjs-rabbitmq', 'amqplib'],
    });
  }, 300_000);

  it('serves /health/ready and /metrics once the app installs terminus 12 and prom-client, the optional peers', async () => {
    const app = join(workdir, 'app');
    // No --legacy-peer-deps: npm checks them against the package's peer ranges.
    const install = ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'];
    await run(
      'npm',
      [...install, '@nestjs/platform-express@^12.0.0', '@nestjs/terminus@^12.0.0', 'prom-client@^15.1.3'],
      {
        cwd: app,
      },
    );
    await writeFile(join(app, 'src/http.ts'), APP_HTTP);
    await run('npx', ['tsc', '-p', '.'], { cwd: app });
    expect(await runApp(app, 'dist/http.js')).toEqual({
      ready: 200,
      health: expect.objectContaining({
        status: 'ok',
        info: { transport: { status: 'up' }, store: { status: 'up' } },
      }),
      completed: '1',
    });
  }, 300_000);

  it('runs the flow on RabbitMQ once the app installs golevelup 9, which asks for Nest 11 (--legacy-peer-deps)', async () => {
    const app = join(workdir, 'app');
    // Without the flag npm refuses (ERESOLVE: golevelup 9 declares @nestjs/common ^11); with it the client runs.
    const install = ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'];
    await run(
      'npm',
      [...install, '--legacy-peer-deps', '@golevelup/nestjs-rabbitmq@^9.0.2', 'amqplib@^0.10.9'],
      {
        cwd: app,
      },
    );
    await writeFile(join(app, 'src/rabbit.ts'), APP_RABBIT);
    await run('npx', ['tsc', '-p', '.'], { cwd: app });
    const prefix = `pkg-${process.pid}`;
    const instance = `pkg-${process.pid}`;
    try {
      expect(await runApp(app, 'dist/rabbit.js', { AMQP_URL, PREFIX: prefix, INSTANCE: instance })).toEqual({
        result: { room: 'R-3', paid: 270 },
      });
    } finally {
      await deleteRabbitMqTopology(
        AMQP_URL,
        prefix,
        { name: 'hotel', tasks: ['hold-room', 'charge-card'] },
        instance,
      );
    }
  }, 300_000);
});
