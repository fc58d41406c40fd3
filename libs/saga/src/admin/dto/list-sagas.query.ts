import { IsIn, IsOptional, IsString, Matches, MaxLength, ValidateBy } from 'class-validator';
import { SAGA_STATUSES, type SagaStatus } from '../../engine/saga-state';
import { SAGA_LIST_MAX_LIMIT } from '../../store/saga-list.interface';

const EPOCH_MS = /^\d{1,15}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A time as epoch milliseconds or ISO-8601 text; undefined if it is neither. */
export function parseInstant(value: string): number | undefined {
  if (EPOCH_MS.test(value)) return Number(value);
  if (!ISO_8601.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/** A time as epoch milliseconds (`1767225600000`) or ISO-8601 (`2026-01-01T00:00:00Z`). */
function IsInstant(): PropertyDecorator {
  return ValidateBy({
    name: 'isInstant',
    validator: {
      validate: (value) => typeof value === 'string' && parseInstant(value) !== undefined,
      defaultMessage: (args) =>
        `${args?.property ?? 'time'} must be epoch milliseconds or an ISO-8601 time (2026-01-01T00:00:00Z)`,
    },
  });
}

/** A whole number from 1 to {@link SAGA_LIST_MAX_LIMIT}, as query text. */
function IsPageSize(): PropertyDecorator {
  return ValidateBy({
    name: 'isPageSize',
    validator: {
      validate: (value) =>
        typeof value === 'string' && /^\d{1,4}$/.test(value) && +value >= 1 && +value <= SAGA_LIST_MAX_LIMIT,
      defaultMessage: () => `limit must be a whole number from 1 to ${SAGA_LIST_MAX_LIMIT}`,
    },
  });
}

// class-validator checks a property's decorators bottom-up; with stopAtFirstError the type check goes last.

/**
 * Query of `GET /admin/sagas` (and, field by field, of gRPC `ListSagas`): every value as text, as a query
 * string carries it; a repeated parameter (an array) is refused.
 */
export class ListSagasQueryDto {
  @IsOptional()
  @MaxLength(128)
  @IsString()
  flow?: string;

  @IsOptional()
  @IsIn(SAGA_STATUSES, { message: `status must be one of ${SAGA_STATUSES.join(', ')}` })
  status?: SagaStatus;

  /** `true`: only stalled sagas (the same as `status=stalled`). */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'stalled must be true or false' })
  stalled?: 'true' | 'false';

  @IsOptional()
  @MaxLength(256)
  @IsString()
  traceId?: string;

  /** Created at or after (epoch ms or ISO-8601). */
  @IsOptional()
  @IsInstant()
  from?: string;

  /** Created before (epoch ms or ISO-8601). */
  @IsOptional()
  @IsInstant()
  to?: string;

  @IsOptional()
  @Matches(/^[\x21-\x7e]+$/, { message: 'cursor must be the `next` of a previous page' })
  @MaxLength(1024)
  @IsString()
  cursor?: string;

  /** Page size. @default 50 */
  @IsOptional()
  @IsPageSize()
  limit?: string;
}

/** Query of `GET /admin/sagas/counts`: the flow to count (every flow without it). */
export class CountSagasQueryDto {
  @IsOptional()
  @MaxLength(128)
  @IsString()
  flow?: string;
}
