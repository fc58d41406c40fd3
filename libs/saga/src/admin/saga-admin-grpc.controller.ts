import { Controller, Inject, UseFilters, UseGuards } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { SagaStatusView } from '../interfaces/saga-status.interface';
import type { SagaOperatorActionType } from '../engine/saga-operator-action';
import type { SagaCounts } from '../store/saga-list.interface';
import { CountSagasQueryDto, ListSagasQueryDto } from './dto';
import { SagaAdminGrpcExceptionFilter } from './saga-admin-grpc-exception.filter';
import { SagaAdminRequestError } from './saga-admin-request.error';
import { SagaAdminGuard } from './saga-admin.guard';
import { operatorOf, parseAction, parseAdminInput, toListQuery } from './saga-admin.input';
import { SAGA_ADMIN_MESSAGES } from './saga-admin.messages';
import { SAGA_ADMIN_OPERATIONS, type SagaAdminOperations } from './saga-admin.operations';
import { SAGA_ADMIN_GRPC_SERVICE } from './saga-admin.options';

/** Messages of proto/saga.proto (field names as written, unset fields as "" and 0). */
interface ListSagasRequest {
  flow: string;
  status: string;
  stalled: boolean;
  trace_id: string;
  from: string;
  to: string;
  cursor: string;
  limit: number;
}
interface SagaSummaryMessage {
  id: string;
  flow: string;
  status: string;
  trace_id: string;
  step: string;
  created_at: number;
  updated_at: number;
}
interface ActionRequest {
  saga_id: string;
  reason: string;
}
interface TaskActionRequest extends ActionRequest {
  task: string;
}
interface SkipTaskRequest extends TaskActionRequest {
  output_json: string;
}
/** `dta.Saga`: the main fields, and the whole view as JSON. */
export interface SagaAdminGrpcSaga {
  id: string;
  flow: string;
  status: string;
  trace_id: string;
  view_json: string;
}

const toSagaAdminGrpcSaga = (view: SagaStatusView): SagaAdminGrpcSaga => ({
  id: view.id,
  flow: view.flow,
  status: view.status,
  trace_id: view.traceId,
  view_json: JSON.stringify(view),
});

/** Proto3 has no "unset" for scalars: an empty string (or 0, false) means the field was not sent. */
const given = (value: string): string | undefined => (value === '' ? undefined : value);

function outputOf(json: string): unknown {
  if (json === '') return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new SagaAdminRequestError(SAGA_ADMIN_MESSAGES.INVALID_REQUEST(1), [
      'output_json must be JSON text',
    ]);
  }
}

/**
 * The operator API over gRPC, `dta.SagaAdmin` (proto/saga.proto), behind `SagaAdminGuard` (metadata
 * `authorization: Bearer <SAGA_ADMIN_TOKEN>`); the same validation and errors as `SagaAdminController`.
 */
@Controller()
@UseGuards(SagaAdminGuard)
@UseFilters(SagaAdminGrpcExceptionFilter)
export class SagaAdminGrpcController {
  constructor(@Inject(SAGA_ADMIN_OPERATIONS) private readonly admin: SagaAdminOperations) {}

  @GrpcMethod(SAGA_ADMIN_GRPC_SERVICE, 'ListSagas')
  async listSagas(request: ListSagasRequest): Promise<{ sagas: SagaSummaryMessage[]; next: string }> {
    const dto = await parseAdminInput(ListSagasQueryDto, {
      flow: given(request.flow),
      status: given(request.status),
      stalled: request.stalled ? 'true' : undefined,
      traceId: given(request.trace_id),
      from: given(request.from),
      to: given(request.to),
      cursor: given(request.cursor),
      limit: request.limit === 0 ? undefined : String(request.limit),
    });
    const page = await this.admin.list(toListQuery(dto));
    return {
      sagas: page.sagas.map((s) => ({
        id: s.id,
        flow: s.flow,
        status: s.status,
        trace_id: s.traceId,
        step: s.step,
        created_at: s.createdAt,
        updated_at: s.updatedAt,
      })),
      next: page.next ?? '',
    };
  }

  @GrpcMethod(SAGA_ADMIN_GRPC_SERVICE, 'CountSagas')
  async countSagas(request: { flow: string }): Promise<{ flow: string; counts: SagaCounts }> {
    const { flow } = await parseAdminInput(CountSagasQueryDto, { flow: given(request.flow) });
    return { flow: flow ?? '', counts: await this.admin.count(flow) };
  }

  @GrpcMethod(SAGA_ADMIN_GRPC_SERVICE, 'GetSaga')
  async getSaga(request: { saga_id: string }): Promise<SagaAdminGrpcSaga> {
    return toSagaAdminGrpcSaga(await this.admin.status(request.saga_id));
  }

  @GrpcMethod(SAGA_ADMIN_GRPC_SERVICE, 'RetryTask')
  retryTask(request: TaskActionRequest, metadata: Metadata): Promise<SagaAdminGrpcSaga> {
    return this.act('retry', request.saga_id, { task: request.task, reason: request.reason }, metadata);
  }

  @GrpcMethod(SAGA_ADMIN_GRPC_SERVICE, 'SkipTask')
  skipTask(request: SkipTaskRequest, metadata: Metadata): Promise<SagaAdminGrpcSaga> {
    const body = { task: request.task, reason: request.reason, output: outputOf(request.output_json) };
    return this.act('skip', request.saga_id, body, metadata);
  }

  @GrpcMethod(SAGA_ADMIN_GRPC_SERVICE, 'Resume')
  resume(request: ActionRequest, metadata: Metadata): Promise<SagaAdminGrpcSaga> {
    return this.act('resume', request.saga_id, { reason: request.reason }, metadata);
  }

  @GrpcMethod(SAGA_ADMIN_GRPC_SERVICE, 'Compensate')
  compensate(request: ActionRequest, metadata: Metadata): Promise<SagaAdminGrpcSaga> {
    return this.act('compensate', request.saga_id, { reason: request.reason }, metadata);
  }

  @GrpcMethod(SAGA_ADMIN_GRPC_SERVICE, 'Cancel')
  cancel(request: ActionRequest, metadata: Metadata): Promise<SagaAdminGrpcSaga> {
    return this.act('cancel', request.saga_id, { reason: request.reason }, metadata);
  }

  private async act(
    type: SagaOperatorActionType,
    sagaId: string,
    body: object,
    metadata: Metadata,
  ): Promise<SagaAdminGrpcSaga> {
    const by = operatorOf(metadata.get('x-operator')[0]);
    return toSagaAdminGrpcSaga(await this.admin.act(sagaId, await parseAction(type, body, by)));
  }
}
