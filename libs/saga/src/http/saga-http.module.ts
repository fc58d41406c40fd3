import { Module } from '@nestjs/common';
import { SagaStatusController } from './saga-status.controller';

/**
 * The HTTP side of DTA that every front door needs: `GET /sagas/:id` (`SagaStatusController`). Import it beside
 * `SagaModule`; register `SagaExceptionFilter` and the `sagaTraceId` middleware on the app.
 */
@Module({ controllers: [SagaStatusController] })
export class SagaHttpModule {}
