export { SagaFlowsController, type SagaFlowView } from './saga-flows.controller';
export { SagaHttpModule } from './saga-http.module';
export { SagaStatusController } from './saga-status.controller';
export { IdempotencyKey, TraceId } from './trace-id.decorator';
export { isTraceId, sagaTraceId, TRACE_ID_HEADER, type TracedRequest } from './trace-id.middleware';
