import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * The request body, refused with 400 unless it was sent as JSON (a form post would otherwise be parsed into
 * strings and reach validation under another shape). Validation of the content is left to `SagaClient`.
 */
export const JsonBody = createParamDecorator((_data: unknown, context: ExecutionContext): unknown => {
  const request = context.switchToHttp().getRequest<Request>();
  if (!request.is('application/json')) {
    throw new BadRequestException([
      'the body must be a JSON object sent with Content-Type: application/json',
    ]);
  }
  return request.body as unknown;
});
