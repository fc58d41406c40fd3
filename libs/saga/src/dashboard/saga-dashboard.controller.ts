import { Controller, Get, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { dashboardContentSecurityPolicy, dashboardPage } from './dashboard.page';

/**
 * `GET /dta`: the operator dashboard, one self-contained HTML page (`text/html; charset=utf-8`, never cached,
 * a strict `Content-Security-Policy`). The page holds no data and needs no token: the operator types the
 * bearer token (`SAGA_ADMIN_TOKEN`) into it, and it reads and acts through the operator API (`/admin/sagas`)
 * and `/dta/flows` of the same origin. Served by every app that imports `SagaAdminModule`.
 *
 * @example
 * open http://localhost:3000/dta
 */
@Controller('dta')
export class SagaDashboardController {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** The dashboard's HTML. */
  @Get()
  page(@Res({ passthrough: true }) response: unknown): string {
    // Through the adapter, not @Header(), so that Express and Fastify both send them.
    const http = this.adapterHost.httpAdapter;
    http.setHeader(response, 'content-type', 'text/html; charset=utf-8');
    http.setHeader(response, 'cache-control', 'no-store');
    http.setHeader(response, 'content-security-policy', dashboardContentSecurityPolicy());
    http.setHeader(response, 'x-content-type-options', 'nosniff');
    http.setHeader(response, 'referrer-policy', 'no-referrer');
    return dashboardPage();
  }
}
