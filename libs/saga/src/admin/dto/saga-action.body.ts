import { Allow, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Longest `reason` kept in a saga's history. */
export const MAX_REASON_LENGTH = 500;
/** What an operator name (`x-operator`) may be: letters, digits, `.`, `_`, `@`, `-`, at most 64. */
export const OPERATOR_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;

/** Body of `POST /admin/sagas/:id/resume | compensate | cancel`. */
export class SagaActionBodyDto {
  /** Why, in a sentence: kept with the action in the saga's history. */
  // Checked bottom-up: a missing or non-string reason gets one message, "reason must be a string".
  @Matches(/\S/, { message: 'reason must not be blank' })
  @MaxLength(MAX_REASON_LENGTH)
  @IsString()
  reason!: string;
}

/** Body of `POST /admin/sagas/:id/retry`. */
export class SagaTaskActionBodyDto extends SagaActionBodyDto {
  /** The task, by its name in the flow (`reserve-stock`). */
  @MaxLength(128)
  @IsNotEmpty()
  @IsString()
  task!: string;
}

/** Body of `POST /admin/sagas/:id/skip`: `output` is the task's output when the saga goes forward. */
export class SagaSkipBodyDto extends SagaTaskActionBodyDto {
  @IsOptional()
  @Allow()
  output?: unknown;
}
