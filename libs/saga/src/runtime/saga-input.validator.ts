import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import type { SagaContract } from '../definition/saga-contract';
import type { Json } from '../engine/saga-state';
import { SagaInputError } from '../errors/saga-outcome.error';
import { SAGA_MESSAGES } from '../saga.messages';
import { toJson } from './json';

function flatten(errors: ValidationError[], parent = ''): { field: string; messages: string[] }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Validates a saga input against the contract's DTO (class-validator); returns its JSON form. */
export async function validateSagaInput(contract: SagaContract, input: unknown): Promise<Json> {
  if (!contract.input) return toJson(input);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SagaInputError(SAGA_MESSAGES.INVALID_INPUT(contract.name, 1), contract.name, [
      { field: '(body)', messages: ['input must be a JSON object'] },
    ]);
  }
  const instance = plainToInstance(contract.input, input) as object;
  const errors = await validate(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: true,
  });
  if (errors.length > 0) {
    const fields = flatten(errors);
    throw new SagaInputError(
      SAGA_MESSAGES.INVALID_INPUT(contract.name, fields.length),
      contract.name,
      fields,
    );
  }
  return toJson(instance);
}
