import { Controller, Get, Param } from '@nestjs/common';
import { SagaClient, type SagaStatusView } from '@dta/saga';

/** `GET /sagas/:id`: where a saga stands (404 for an unknown or expired id, via `SagaExceptionFilter`). */
@Controller('sagas')
export class SagasController {
  constructor(private readonly sagas: SagaClient) {}

  @Get(':id')
  async status(@Param('id') id: string): Promise<SagaStatusView> {
    return this.sagas.status(id);
  }
}
