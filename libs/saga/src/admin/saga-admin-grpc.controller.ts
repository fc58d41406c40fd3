import { Controller, Inject, UseFilters, UseGuards } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { SagaStatusView } from '../interfaces/saga-status.interface';
import { ListSagasQueryDto, SagaActionBodyDto, SagaSkipBodyDto, SagaTaskActionBodyDto } from './dto';
import { SagaAdminGrpcExceptionFilter } from './saga-admin-grpc-exception.filter';
import { SagaAdminRequestError } from './saga-admin-request.error';
import { SagaAdminGuard } from './saga-admin.guard';
import { operatorOf, parseAdminInput, toAction, toListQuery } from './saga-admin.input';
import { SAGA_ADMIN_MESSAGES } from './saga-admin.messages';
import { listSagas, SAGA_ADMIN_OPERATIONS, type SagaAdminOperations } from './saga-admin.operations';
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
interface SagaMessage {
  id: string;
  flow: string;
  status: string;
  trace_id: string;
  view_json: string;
}

const toSagaMessage = (view: SagaStatusView): SagaMessage => ({
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
    const page = await listSagas(this.admin, toListQuery(dto));
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

  @GrpcMethod(SAGA_ADMIN_GRPC_SERVICE, 'GetSaga')
  async getSaga(request: { saga_id: string }): Promise<SagaMessage> {
    return toSagaMessage(await this.admin.status(request.saga_id));
  }

  @GrpcMethod(SAGA_ADMIN_GRPC_SERVICE, 'RetryTask')
  async retryTask(request: TaskActionRequest, metadata: Metadata): Promise<SagaMessage> {
    const dto = await parseAdminInput(SagaTaskActionBodyDto, { task: request.task, reason: request.reason });
    return this.act(request.saga_id, toAction('retry', dto, operatorIn(metadata)));
  }

  @GrpcMethod(SAGA_ADMIN_GRPC_SERVICE, 'SkipTask')
  async skipTask(request: SkipTaskRequest, metadata: Metadata): Promise<SagaMessage> {
    const output = outputOf(request.output_json);
    const dto = await parseAdminInput(SagaSkipBodyDto, {
      task: request.task,
      reason: request.reason,
      output,
    });
    return this.act(request.saga_id, toAction('skip', dto, operatorIn(metadata)));
  }

  @GrpcMethod(SAGA_ADMIN_GRPC_SERVICE, 'Resume')
  resume(request: ActionRequest, metadata: Metadata): Promise<SagaMessage> {
    return this.noted('resume', request, metadata);
  }

  @GrpcMethod(SAGA_ADMIN_GRPC_SERVICE, 'Compensate')
  compensate(request: ActionRequest, metadata: Metadata): Promise<SagaMessage> {
    return this.noted('compensate', request, metadata);
  }

  @GrpcMethod(SAGA_ADMIN_GRPC_SERVICE, 'Cancel')
  cancel(request: ActionRequest, metadata: Metadata): Promise<SagaMessage> {
    return this.noted('cancel', request, metadata);
  }

  private async noted(
    type: 'resume' | 'compensate' | 'cancel',
    request: ActionRequest,
    metadata: Metadata,
  ): Promise<SagaMessage> {
    const dto = await parseAdminInput(SagaActionBodyDto, { reason: request.reason });
    return this.act(request.saga_id, toAction(type, dto, operatorIn(metadata)));
  }

  private async act(sagaId: string, action: Parameters<SagaAdminOperations['act']>[1]): Promise<SagaMessage> {
    return toSagaMessage(await this.admin.act(sagaId, action));
  }
}

const operatorIn = (metadata: Metadata): string => operatorOf(metadata.get('x-operator')[0]);
