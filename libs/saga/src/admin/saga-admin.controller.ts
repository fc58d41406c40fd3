import {
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { Request } from 'express';
import type { SagaStatusView } from '../interfaces/saga-status.interface';
import type { SagaListPage } from '../store/saga-list.interface';
import { ListSagasQueryDto, SagaActionBodyDto, SagaSkipBodyDto, SagaTaskActionBodyDto } from './dto';
import { SagaAdminExceptionFilter } from './saga-admin-exception.filter';
import { SagaAdminRequestError } from './saga-admin-request.error';
import { SagaAdminGuard } from './saga-admin.guard';
import { operatorOf, parseAdminInput, toAction, toListQuery } from './saga-admin.input';
import { SAGA_ADMIN_MESSAGES } from './saga-admin.messages';
import { listSagas, SAGA_ADMIN_OPERATIONS, type SagaAdminOperations } from './saga-admin.operations';

type NotedAction = 'resume' | 'compensate' | 'cancel';

/** The body, refused unless it came as JSON (a form post would reach validation under another shape). */
function jsonBody(request: Request): unknown {
  if (!request.is('application/json')) {
    throw new SagaAdminRequestError(SAGA_ADMIN_MESSAGES.INVALID_REQUEST(1), [SAGA_ADMIN_MESSAGES.NOT_JSON]);
  }
  return request.body as unknown;
}

/**
 * The operator API over REST, behind `SagaAdminGuard` (bearer `SAGA_ADMIN_TOKEN`): `GET /admin/sagas`,
 * `GET /admin/sagas/:id` and `POST /admin/sagas/:id/{retry|resume|skip|compensate|cancel}`. Every action names
 * its operator (`x-operator`, default `admin`) and a `reason`; both land in the saga's history.
 */
@Controller('admin/sagas')
@UseGuards(SagaAdminGuard)
@UseFilters(SagaAdminExceptionFilter)
export class SagaAdminController {
  constructor(@Inject(SAGA_ADMIN_OPERATIONS) private readonly admin: SagaAdminOperations) {}

  /** `?flow&status&stalled=true&traceId&from&to&cursor&limit`, newest first. */
  @Get()
  async list(@Query() query: unknown): Promise<SagaListPage> {
    return listSagas(this.admin, toListQuery(await parseAdminInput(ListSagasQueryDto, query)));
  }

  @Get(':id')
  status(@Param('id') id: string): Promise<SagaStatusView> {
    return this.admin.status(id);
  }

  @Post(':id/retry')
  @HttpCode(200)
  async retry(
    @Param('id') id: string,
    @Headers('x-operator') operator: unknown,
    @Req() req: Request,
  ): Promise<SagaStatusView> {
    const dto = await parseAdminInput(SagaTaskActionBodyDto, jsonBody(req));
    return this.admin.act(id, toAction('retry', dto, operatorOf(operator)));
  }

  @Post(':id/skip')
  @HttpCode(200)
  async skip(
    @Param('id') id: string,
    @Headers('x-operator') operator: unknown,
    @Req() req: Request,
  ): Promise<SagaStatusView> {
    const dto = await parseAdminInput(SagaSkipBodyDto, jsonBody(req));
    return this.admin.act(id, toAction('skip', dto, operatorOf(operator)));
  }

  @Post(':id/resume')
  @HttpCode(200)
  resume(@Param('id') id: string, @Headers('x-operator') operator: unknown, @Req() req: Request) {
    return this.noted(id, 'resume', operator, req);
  }

  @Post(':id/compensate')
  @HttpCode(200)
  compensate(@Param('id') id: string, @Headers('x-operator') operator: unknown, @Req() req: Request) {
    return this.noted(id, 'compensate', operator, req);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string, @Headers('x-operator') operator: unknown, @Req() req: Request) {
    return this.noted(id, 'cancel', operator, req);
  }

  /** An action whose body is only `{ reason }`. */
  private async noted(
    id: string,
    type: NotedAction,
    operator: unknown,
    req: Request,
  ): Promise<SagaStatusView> {
    const dto = await parseAdminInput(SagaActionBodyDto, jsonBody(req));
    return this.admin.act(id, toAction(type, dto, operatorOf(operator)));
  }
}
