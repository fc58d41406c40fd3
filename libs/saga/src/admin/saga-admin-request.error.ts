/**
 * An operator request whose query, body or metadata is refused (HTTP 400, gRPC INVALID_ARGUMENT): one message
 * per bad field in `messages`. Nothing was read or changed.
 */
export class SagaAdminRequestError extends Error {
  override readonly name = 'SagaAdminRequestError';

  constructor(
    message: string,
    readonly messages: string[],
  ) {
    super(message);
  }
}
