import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Browser, Locator, Page } from 'playwright-core';
import request from 'supertest';
import type { App } from 'supertest/types';
import { launchChromium } from './support/browser';
import { INFRAS } from './support/e2e-infra';
import { startBookingApp } from './support/standalone-app';

jest.setTimeout(30_000);

const TOKEN = 'e2e-dashboard-token-0123456789';
/** The page's own store and transport do not matter to it: the embedded ones. */
const INFRA = INFRAS.find((infra) => infra.transport === 'memory')!;
/** Set to a path (`docs/dashboard.png`) to save a screenshot of a stalled saga's page there. */
const SCREENSHOT = process.env.DTA_DASHBOARD_SCREENSHOT;

/** Boots the standalone app on a real port (the browser needs one); `env` as `startBookingApp` takes it. */
async function startListening(prefix: string, env: Record<string, string>) {
  const started = await startBookingApp(INFRA, prefix, env);
  await started.app.listen(0, '127.0.0.1');
  const { port } = (started.app.getHttpServer() as { address(): AddressInfo }).address();
  return { ...started, url: `http://127.0.0.1:${port}` };
}

/** What went wrong in the page itself: uncaught errors and refused content (CSP); failed fetches are expected. */
function watchPageErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(message.text());
    }
  });
  return problems;
}

/** An attribute of each element a locator matches, in document order. */
async function attributes(locator: Locator, name: string): Promise<(string | null)[]> {
  return Promise.all((await locator.all()).map((each) => each.getAttribute(name)));
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 600_000); // the first run may install Chromium

afterAll(async () => {
  await browser?.close();
});

describe(`operator dashboard (GET /dta) over ${INFRA.name}`, () => {
  const run = randomBytes(4).toString('hex');
  let app: INestApplication;
  let close: (() => Promise<void>) | undefined;
  let url: string;
  let page: Page;
  let problems: string[];
  let bookings = 0;
  const sagas = { completed: '', compensated: '', stalled: '' };

  const book = async (body: object, status: number): Promise<string> => {
    const response = await request(app.getHttpServer() as App)
      .post('/bookings')
      .set('x-request-id', `dash-${run}-${++bookings}`)
      .send({ productId: `dash-${run}-${bookings}`, ...body })
      .expect(status);
    return (response.body as { sagaId: string }).sagaId;
  };

  const row = (sagaId: string, status?: string): Locator =>
    page.locator(
      `[data-testid="saga-row"][data-saga-id="${sagaId}"]${status ? `[data-status="${status}"]` : ''}`,
    );
  const sagaStatus = (status: string): Locator =>
    page.locator(`[data-testid="saga-status"][data-status="${status}"]`);
  const task = (name: string): Locator => page.locator(`[data-testid="task"][data-task="${name}"]`);
  const openSaga = async (sagaId: string): Promise<void> => {
    await page.goto(`${url}/dta#/sagas/${sagaId}`);
    await page.getByTestId('saga-id').filter({ hasText: sagaId }).waitFor();
  };

  beforeAll(async () => {
    ({ app, close, url } = await startListening(`dta-dash-${run}`, {
      SAGA_ADMIN_TOKEN: TOKEN,
      SAGA_WAIT_TIMEOUT_MS: '10000',
    }));
    // Sync bookings answer once settled: each saga is in its final state (or stalled) when the page opens.
    sagas.completed = await book({ quantity: 1 }, 201);
    sagas.compensated = await book({ quantity: 2, faultInject: 'confirm' }, 409); // rolled back
    sagas.stalled = await book({ quantity: 3, faultInject: 'confirm', failCompensation: 'inventory' }, 500);
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(10_000);
    problems = watchPageErrors(page);
  });

  afterAll(async () => {
    await page?.close();
    await close?.();
  });

  afterEach(() => {
    expect(problems).toEqual([]);
  });

  it('asks for the operator token, refuses a wrong one, then lists the sagas and the counts per status', async () => {
    await page.goto(`${url}/dta`);
    await page.getByTestId('token-input').fill('not-the-operator-token');
    await page.getByTestId('token-submit').click();
    await page.getByTestId('login-error').filter({ hasText: 'refused this token' }).waitFor();

    await page.getByTestId('token-input').fill(TOKEN);
    await page.getByTestId('token-submit').click();
    await row(sagas.completed, 'completed').waitFor();
    await row(sagas.compensated, 'compensated').waitFor();
    await row(sagas.stalled, 'stalled').waitFor();
    expect(await row(sagas.stalled).locator('td').nth(2).textContent()).toBe('booking');
    expect(page.url()).not.toContain(TOKEN);

    const count = (flow: string, status: string) =>
      page.locator(`[data-testid="count"][data-flow="${flow}"][data-status="${status}"]`);
    for (const flow of ['all flows', 'booking']) {
      await count(flow, 'stalled').filter({ hasText: /^1$/ }).waitFor();
      expect(await count(flow, 'completed').textContent()).toBe('1');
      expect(await count(flow, 'compensated').textContent()).toBe('1');
      expect(await count(flow, 'running').textContent()).toBe('0');
    }
  });

  it('filters the list: stalled only', async () => {
    await page.getByTestId('filter-stalled').check();
    await page.getByTestId('filter-apply').click();
    await row(sagas.completed).waitFor({ state: 'detached' });
    expect(await page.getByTestId('saga-row').count()).toBe(1);
    await row(sagas.stalled, 'stalled').waitFor();

    await page.getByTestId('filter-reset').click();
    await row(sagas.completed, 'completed').waitFor();
  });

  it('opens a completed booking: its steps left to right, each task succeeded, with attempts and durations', async () => {
    await row(sagas.completed).click();
    await sagaStatus('completed').waitFor();
    expect(page.url()).toBe(`${url}/dta#/sagas/${sagas.completed}`);

    const steps = page.getByTestId('step');
    expect(await attributes(steps, 'data-step')).toEqual(['order', 'payment-and-stock', 'confirm']);
    const lefts = await Promise.all([0, 1, 2].map(async (i) => (await steps.nth(i).boundingBox())!.x));
    expect(lefts).toEqual([...lefts].sort((a, b) => a - b));
    expect(new Set(lefts).size).toBe(3);

    const parallel = page.locator('[data-testid="step"][data-step="payment-and-stock"] [data-testid="task"]');
    expect(await attributes(parallel, 'data-task')).toEqual(['charge-payment', 'reserve-stock']);
    for (const name of ['create-order', 'charge-payment', 'reserve-stock', 'confirm-order']) {
      expect(await task(name).getAttribute('data-status')).toBe('succeeded');
      expect(await task(name).getByTestId('task-attempts').textContent()).toMatch(
        /^1 attempt · \d+(\.\d)? m?s/,
      );
    }
    expect(await page.locator('[data-testid="step"][data-status="succeeded"]').count()).toBe(3);
    await page.locator('[data-testid="timeline-row"][data-event="completed"]').waitFor();
    expect(await page.getByTestId('action-resume').isDisabled()).toBe(true);
  });

  it('opens a compensated booking: the failed task, its error, and every undo that ran', async () => {
    await openSaga(sagas.compensated);
    await sagaStatus('compensated').waitFor();
    expect(await task('confirm-order').getAttribute('data-status')).toBe('failed');
    expect(await task('confirm-order').getByTestId('task-error').textContent()).toContain('confirm');
    expect(await page.getByTestId('failure').textContent()).toContain('confirm-order');
    for (const name of ['create-order', 'charge-payment', 'reserve-stock']) {
      expect(await task(name).getByTestId('compensation-status').getAttribute('data-status')).toBe(
        'succeeded',
      );
    }
  });

  it('resumes a stalled booking from the page once its fault is cleared, and shows it compensated', async () => {
    await openSaga(sagas.stalled);
    await sagaStatus('stalled').waitFor();
    const stall = await page.getByTestId('stall').textContent();
    expect(stall).toContain('while compensating at payment-and-stock / reserve-stock');
    expect(stall).toContain(`DELETE /faults/${sagas.stalled}`);
    expect(await task('reserve-stock').getByTestId('compensation-status').getAttribute('data-status')).toBe(
      'failed',
    );
    expect(await page.getByTestId('action-cancel').isDisabled()).toBe(true);
    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Refused by the API: its message is shown, nothing changes.
    await page.getByTestId('action-resume').click();
    await page.getByTestId('action-message').filter({ hasText: 'reason must not be blank' }).waitFor();
    expect(await page.getByTestId('action-message').getAttribute('data-kind')).toBe('error');

    await request(app.getHttpServer() as App)
      .delete(`/faults/${sagas.stalled}`)
      .expect(204);
    await page.getByTestId('operator').fill('alice');
    await page.getByTestId('reason').fill('inventory service fixed');
    await page.getByTestId('action-resume').click();

    await sagaStatus('compensated').waitFor();
    expect(await page.getByTestId('stall').count()).toBe(0);
    expect(await task('reserve-stock').getByTestId('compensation-status').getAttribute('data-status')).toBe(
      'succeeded',
    );
    const history = await page.getByTestId('history-row').allTextContents();
    expect(history).toEqual([expect.stringMatching(/resume.*alice.*inventory service fixed/)]);
  });

  it('updates the list live: a booking made meanwhile appears, and the counts follow, without a reload', async () => {
    await page.getByTestId('back').click();
    await row(sagas.stalled, 'compensated').waitFor();
    const count = (status: string) =>
      page.locator(`[data-testid="count"][data-flow="all flows"][data-status="${status}"]`);
    await count('stalled').filter({ hasText: /^0$/ }).waitFor();

    const booked = await book({ quantity: 1 }, 201);
    await row(booked, 'completed').waitFor();
    await count('completed').filter({ hasText: /^2$/ }).waitFor();
  });
});

describe('operator dashboard without SAGA_ADMIN_TOKEN', () => {
  it('says the operator API is off instead of asking for a token', async () => {
    const { close, url } = await startListening(`dta-dash-off-${randomBytes(4).toString('hex')}`, {
      SAGA_ADMIN_TOKEN: '',
    });
    const page = await browser.newPage();
    try {
      const problems = watchPageErrors(page);
      await page.goto(`${url}/dta`);
      await page
        .getByTestId('notice')
        .filter({ hasText: 'The operator API is off: set SAGA_ADMIN_TOKEN (at least 16 characters)' })
        .waitFor();
      expect(await page.getByTestId('login').isVisible()).toBe(false);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
      await close();
    }
  });
});
