import { Controller, Get, Param } from '@nestjs/common';
import type { SagaStatusView } from '../engine/saga-status-view';
import { SagaClient } from '../runtime/saga.client';

/**
 * `GET /sagas/:id`: where a saga stands, as its caller may see it (`SagaClient.status`); 404 for an unknown or
 * expired id through `SagaExceptionFilter`. It is the `Location` of the filter's 202 answers.
 */
@Controller('sagas')
export class SagaStatusController {
  constructor(private readonly sagas: SagaClient) {}

  @Get(':id')
  status(@Param('id') id: string): Promise<SagaStatusView> {
    return this.sagas.status(id);
  }
}
