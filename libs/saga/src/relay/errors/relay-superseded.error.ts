/**
 * A relayed task stopped asking for its outcome because its compensation began in this process: the
 * compensation claimed the task, and whatever the first call did is undone by it.
 */
export class RelaySupersededError extends Error {
  override readonly name: string = 'RelaySupersededError';
}
