import { Module } from '@nestjs/common';
import { SagaFlowsController } from './saga-flows.controller';
import { SagaStatusController } from './saga-status.controller';

/**
 * The HTTP side of DTA that every front door needs: `GET /sagas/:id` (`SagaStatusController`), and
 * `GET /dta/flows` and `GET /dta/flows/:flow`, the flows this app orchestrates and each one's diagram in
 * Mermaid (`SagaFlowsController`; an app that does not orchestrate a flow, such as a front door beside a
 * separate orchestrator, answers 404 for it). Import it beside `SagaModule`; register `SagaExceptionFilter`
 * and the `sagaTraceId` middleware on the app.
 */
@Module({ controllers: [SagaStatusController, SagaFlowsController] })
export class SagaHttpModule {}
