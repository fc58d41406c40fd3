import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { accessSync, constants, openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

import { logInfra, elapsedSince } from './infra-log';
import { TestInfraError } from './test-infra.error';

/** Debian package that ships each server binary the tests may start. */
const DEBIAN_PACKAGES: Record<string, string> = {
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  'rabbitmq-server': 'rabbitmq-server',
  rabbitmqctl: 'rabbitmq-server',
  'nats-server': 'nats-server',
  chromium: 'chromium',
};

/** Server binaries live in sbin on Debian, which is not on every user's PATH. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Absolute path of an executable on PATH (or in sbin), or undefined. */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Output and status of a finished command. */
export interface CommandResult {
  status: number | null;
  output: string;
}

/** Runs a short command to completion, capturing stdout and stderr together. Never reads stdin. */
export function runCommand(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): CommandResult {
  const spawnOptions: SpawnSyncOptions = {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 60_000,
    encoding: 'utf8',
  };
  const result = spawnSync(file, args, spawnOptions);
  const output = `${String(result.stdout ?? '')}${String(result.stderr ?? '')}${result.error ? String(result.error) : ''}`;
  return { status: result.status, output };
}

/**
 * Starts a daemon whose launcher exits once it has forked (`--daemonize`, `-detached`). Its output goes to
 * `logFile`, never to a pipe: a daemon holding our pipe open would hang the launcher and CI.
 */
export function launchDaemon(
  file: string,
  args: readonly string[],
  logFile: string,
  env?: NodeJS.ProcessEnv,
): void {
  const fd = openSync(logFile, 'a');
  try {
    const result = spawnSync(file, args, {
      env: env ?? process.env,
      stdio: ['ignore', fd, fd],
      timeout: 60_000,
      cwd: '/',
    });
    if (result.error || result.status !== 0) {
      throw new TestInfraError(
        `${file} ${args.join(' ')} exited with ${result.status ?? String(result.error)}`,
        tailOf(logFile),
      );
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Starts a server that stays in the foreground (e.g. `nats-server`) as a detached process of its own, outside
 * jest's process group, with its output in `logFile` (never a pipe). Returns its pid at once: the caller waits
 * until it answers.
 */
export function spawnDetached(
  file: string,
  args: readonly string[],
  logFile: string,
  env?: NodeJS.ProcessEnv,
): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(file, args, {
      env: env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: true,
      cwd: '/',
    });
    if (child.pid === undefined) {
      throw new TestInfraError(`${file} ${args.join(' ')} could not be started`, tailOf(logFile));
    }
    child.on('error', () => undefined); // a failed start shows as a server that never answers
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** The last lines of a log file, for error messages. */
export function tailOf(file: string, lines = 25): string {
  if (!existsSync(file)) {
    return `(no ${file})`;
  }
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Makes sure the binaries exist: as root on Debian, installs the missing packages with apt-get; otherwise
 * fails with what to install.
 */
export function ensureExecutables(names: readonly string[]): void {
  const missing = names.filter((name) => !findExecutable(name));
  if (missing.length === 0) {
    return;
  }
  const packages = [...new Set(missing.map((name) => DEBIAN_PACKAGES[name] ?? name))];
  const aptGet = findExecutable('apt-get');
  if (!isRoot() || !aptGet) {
    throw new TestInfraError(
      `Missing ${missing.join(', ')}. Install ${packages.join(' ')} (Debian/Ubuntu: ` +
        `sudo apt-get install -y ${packages.join(' ')}), or start the servers yourself and set REDIS_URL / ` +
        'AMQP_URL / NATS_URL, or run only the unit tests: npm run test:unit',
    );
  }
  const start = Date.now();
  logInfra(`installing ${packages.join(' ')} with apt-get (missing ${missing.join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = runCommand(aptGet, ['update'], { env, timeoutMs: 300_000 });
  if (update.status !== 0) {
    throw new TestInfraError('apt-get update failed', update.output.split('\n').slice(-20).join('\n'));
  }
  const install = runCommand(aptGet, ['install', '-y', '--no-install-recommends', ...packages], {
    env,
    timeoutMs: 600_000,
  });
  if (install.status !== 0) {
    throw new TestInfraError(
      `apt-get install ${packages.join(' ')} failed`,
      install.output.split('\n').slice(-20).join('\n'),
    );
  }
  logInfra(`installed ${packages.join(' ')} in ${elapsedSince(start)}`);
}
