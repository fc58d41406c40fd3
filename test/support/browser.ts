import { type Browser, chromium } from 'playwright-core';
import { ensureExecutables, findExecutable } from '../infra/system-commands';

/** Debian's Chromium binary (package `chromium`), installed on first use as root like the test servers. */
const CHROMIUM = 'chromium';

/**
 * Launches Debian's headless Chromium for the browser suites, installing the package with apt-get when it is
 * missing (as root; otherwise fails saying what to install). `--no-sandbox`: the suites may run as root, where
 * Chromium's sandbox refuses to start.
 */
export async function launchChromium(): Promise<Browser> {
  ensureExecutables([CHROMIUM]);
  return chromium.launch({
    executablePath: findExecutable(CHROMIUM),
    headless: true,
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
