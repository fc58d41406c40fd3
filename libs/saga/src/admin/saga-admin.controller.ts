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
import type { SagaCounts, SagaListPage } from '../store/saga-list.interface';
import type { SagaOperatorActionType } from '../engine/saga-operator-action';
import { CountSagasQueryDto, ListSagasQueryDto } from './dto';
import { SagaAdminExceptionFilter } from './saga-admin-exception.filter';
import { SagaAdminRequestError } from './saga-admin-request.error';
import { SagaAdminGuard } from './saga-admin.guard';
import { operatorOf, parseAction, parseAdminInput, toListQuery } from './saga-admin.input';
import { SAGA_ADMIN_MESSAGES } from './saga-admin.messages';
import { SAGA_ADMIN_OPERATIONS, type SagaAdminOperations } from './saga-admin.operations';

/** The body, refused unless it came as JSON (a form post would reach validation under another shape). */
function jsonBody(request: Request): unknown {
  if (!request.is('application/json')) {
    throw new SagaAdminRequestError(SAGA_ADMIN_MESSAGES.INVALID_REQUEST(1), [SAGA_ADMIN_MESSAGES.NOT_JSON]);
  }
  return request.body as unknown;
}

/**
 * The operator API over REST, behind `SagaAdminGuard` (bearer `SAGA_ADMIN_TOKEN`): `GET /admin/sagas`,
 * `GET /admin/sagas/counts`, `GET /admin/sagas/:id` and `POST /admin/sagas/:id/{retry|resume|skip|compensate|cancel}`. Every action names
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
    return this.admin.list(toListQuery(await parseAdminInput(ListSagasQueryDto, query)));
  }

  /** `?flow`: how many sagas of the flow (or of every flow) are in each status. */
  @Get('counts')
  async count(@Query() query: unknown): Promise<{ flow?: string; counts: SagaCounts }> {
    const { flow } = await parseAdminInput(CountSagasQueryDto, query);
    return { ...(flow === undefined ? {} : { flow }), counts: await this.admin.count(flow) };
  }

  @Get(':id')
  status(@Param('id') id: string): Promise<SagaStatusView> {
    return this.admin.status(id);
  }

  @Post(':id/retry')
  @HttpCode(200)
  retry(@Param('id') id: string, @Headers('x-operator') operator: unknown, @Req() req: Request) {
    return this.act(id, 'retry', operator, req);
  }

  @Post(':id/skip')
  @HttpCode(200)
  skip(@Param('id') id: string, @Headers('x-operator') operator: unknown, @Req() req: Request) {
    return this.act(id, 'skip', operator, req);
  }

  @Post(':id/resume')
  @HttpCode(200)
  resume(@Param('id') id: string, @Headers('x-operator') operator: unknown, @Req() req: Request) {
    return this.act(id, 'resume', operator, req);
  }

  @Post(':id/compensate')
  @HttpCode(200)
  compensate(@Param('id') id: string, @Headers('x-operator') operator: unknown, @Req() req: Request) {
    return this.act(id, 'compensate', operator, req);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string, @Headers('x-operator') operator: unknown, @Req() req: Request) {
    return this.act(id, 'cancel', operator, req);
  }

  private async act(
    id: string,
    type: SagaOperatorActionType,
    operator: unknown,
    req: Request,
  ): Promise<SagaStatusView> {
    return this.admin.act(id, await parseAction(type, jsonBody(req), operatorOf(operator)));
  }
}
