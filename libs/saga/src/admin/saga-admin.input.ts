import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import type { Json } from '../engine/saga-state';
import type { SagaOperatorAction, SagaOperatorActionType } from '../engine/saga-operator-action';
import type { SagaListQuery } from '../store/saga-list.interface';
import {
  type ListSagasQueryDto,
  OPERATOR_PATTERN,
  parseInstant,
  SagaActionBodyDto,
  SagaSkipBodyDto,
  SagaTaskActionBodyDto,
} from './dto';
import { SagaAdminRequestError } from './saga-admin-request.error';
import { SAGA_ADMIN_MESSAGES } from './saga-admin.messages';

/** Operator name when a request names none (`x-operator`). */
export const DEFAULT_OPERATOR = 'admin';

const messagesOf = (errors: ValidationError[]): string[] =>
  errors.flatMap((e) => Object.values(e.constraints ?? {}));

const refuse = (messages: string[]): never => {
  throw new SagaAdminRequestError(SAGA_ADMIN_MESSAGES.INVALID_REQUEST(messages.length), messages);
};

/** Validates `plain` against a DTO class (unknown fields refused); throws `SagaAdminRequestError`. */
export async function parseAdminInput<T extends object>(dto: new () => T, plain: unknown): Promise<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain))
    refuse([SAGA_ADMIN_MESSAGES.NOT_JSON]);
  const instance = plainToInstance(dto, plain);
  const errors = await validate(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: true,
  });
  if (errors.length > 0) refuse(messagesOf(errors));
  return instance;
}

/** The store query of a validated list request: `stalled=true` is `status=stalled`, times as epoch ms. */
export function toListQuery(dto: ListSagasQueryDto): SagaListQuery {
  if (dto.stalled === 'true' && dto.status !== undefined && dto.status !== 'stalled') {
    refuse([`stalled=true contradicts status=${dto.status}`]);
  }
  const query: SagaListQuery = {
    flow: dto.flow,
    status: dto.stalled === 'true' ? 'stalled' : dto.status,
    traceId: dto.traceId,
    from: dto.from === undefined ? undefined : parseInstant(dto.from),
    to: dto.to === undefined ? undefined : parseInstant(dto.to),
    cursor: dto.cursor,
    limit: dto.limit === undefined ? undefined : Number(dto.limit),
  };
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
}

/** The operator a request names (`x-operator`), or {@link DEFAULT_OPERATOR}; refuses a malformed one. */
export function operatorOf(header: unknown): string {
  if (header === undefined || header === '') return DEFAULT_OPERATOR;
  if (typeof header !== 'string' || !OPERATOR_PATTERN.test(header)) {
    refuse(["x-operator must be at most 64 letters, digits, '.', '_', '@' or '-'"]);
  }
  return header as string;
}

/** The body DTO of each action. */
const ACTION_BODIES: Record<SagaOperatorActionType, new () => SagaActionBodyDto> = {
  retry: SagaTaskActionBodyDto,
  skip: SagaSkipBodyDto,
  resume: SagaActionBodyDto,
  compensate: SagaActionBodyDto,
  cancel: SagaActionBodyDto,
};

/** Builds the action of a validated body. */
export function toAction(
  type: SagaOperatorActionType,
  body: SagaActionBodyDto & Partial<SagaSkipBodyDto>,
  by: string,
): SagaOperatorAction {
  const note = { by, reason: body.reason };
  switch (type) {
    case 'retry':
      return { type, task: body.task!, ...note };
    case 'skip':
      return body.output === undefined
        ? { type, task: body.task!, ...note }
        : { type, task: body.task!, output: body.output as Json, ...note };
    default:
      return { type, ...note };
  }
}

/** Validates an action's body (its DTO by `type`) and builds the action of operator `by`. */
export async function parseAction(
  type: SagaOperatorActionType,
  body: unknown,
  by: string,
): Promise<SagaOperatorAction> {
  return toAction(type, await parseAdminInput(ACTION_BODIES[type], body), by);
}
