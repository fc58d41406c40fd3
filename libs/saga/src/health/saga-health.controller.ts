import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { SagaHealthIndicator } from './saga-health.indicator';

/**
 * `GET /health/live`: the process serves requests (restart it when this fails). `GET /health/ready`: the
 * broker and the store answer (send it work only then); 503 naming the part that is down, e.g.
 * `{"status":"error","error":{"store":{"status":"down","message":"..."}}}`. Neither needs a token: they
 * reveal no saga.
 */
@Controller('health')
export class SagaHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly saga: SagaHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.saga.transport(), () => this.saga.store()]);
  }
}
