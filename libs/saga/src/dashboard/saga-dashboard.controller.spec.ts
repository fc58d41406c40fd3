import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { HTTP_PLATFORMS, httpTestApp } from '../http/testing/http-test-app';
import { SagaDashboardController } from './saga-dashboard.controller';

/** The CSP source (`'sha256-…'`) of an inline element's text. */
const hashOf = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The text of the page's one `<tag>` element. */
function inline(html: string, tag: 'script' | 'style'): string {
  const found = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html);
  if (!found) throw new Error(`the page has no <${tag}>`);
  return found[1];
}

describe.each(HTTP_PLATFORMS)('GET /dta on %s', (_platform, adapter) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await httpTestApp({ controllers: [SagaDashboardController] }, adapter());
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers the dashboard as uncached HTML, without a token', async () => {
    const response = await request(app.getHttpServer() as App)
      .get('/dta')
      .expect(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.text).toMatch(/^<!doctype html>/);
    expect(response.text).toContain('data-testid="saga-list"');
  });

  it('allows only its own inline script and style, and this origin, by Content-Security-Policy', async () => {
    const response = await request(app.getHttpServer() as App)
      .get('/dta')
      .expect(200);
    const policy = String(response.headers['content-security-policy']);
    const directives = Object.fromEntries(
      policy.split(';').map((d) => {
        const [name, ...sources] = d.trim().split(/\s+/);
        return [name, sources.join(' ')];
      }),
    );
    expect(directives).toMatchObject({
      'default-src': "'self'",
      'script-src': hashOf(inline(response.text, 'script')),
      'style-src': hashOf(inline(response.text, 'style')),
      'connect-src': "'self'",
      'frame-ancestors': "'none'",
    });
    expect(policy).not.toContain('unsafe');
  });

  it('loads nothing from another origin and inserts no markup from data', async () => {
    const html = (
      await request(app.getHttpServer() as App)
        .get('/dta')
        .expect(200)
    ).text;
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(inline(html, 'script')).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });
});
