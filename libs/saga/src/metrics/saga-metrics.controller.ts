import { Controller, Get, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SagaMetrics } from './saga-metrics';

/**
 * `GET /metrics`: the metrics of `SagaMetricsModule`'s registry in Prometheus' text format, with the
 * registry's content type. Replies through the HTTP adapter, so it serves Express and Fastify alike.
 *
 * @example
 * curl -s localhost:3000/metrics | grep dta_saga_completed_total
 */
@Controller('metrics')
export class SagaMetricsController {
  constructor(
    private readonly metrics: SagaMetrics,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Every metric of the registry, `dta_sagas` read from the store now (left out if the store is down). */
  @Get()
  async scrape(@Res({ passthrough: true }) response: unknown): Promise<string> {
    const { contentType, body } = await this.metrics.scrape();
    this.adapterHost.httpAdapter.setHeader(response, 'content-type', contentType);
    return body;
  }
}
