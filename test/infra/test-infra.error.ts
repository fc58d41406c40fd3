/** The test servers could not be found, installed, started or stopped; `message` says what to do. */
export class TestInfraError extends Error {
  override readonly name = 'TestInfraError';

  constructor(
    message: string,
    /** Output of the failing command or server log, when there is one. */
    readonly detail?: string,
  ) {
    super(detail ? `${message}\n--- last lines ---\n${detail}` : message);
  }
}
