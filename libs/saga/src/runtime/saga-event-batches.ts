interface Waiting<E, R> {
  event: E;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * The events of each saga, applied one batch at a time within this replica. A batch begins once the turn of
 * the event loop that brought its first event is over, so that the events read with it go with it (the
 * replies of a parallel step, which a worker sends together and the broker delivers in one read); an event
 * that arrives while a batch of its saga is under way waits, and goes with every other event that arrived
 * meanwhile: one decision, one commit for all of them. Events that must be decided alone (an operator's
 * action, whose answer is its own) form a batch of one, in their turn.
 */
export class SagaEventBatches<E, R> {
  /** Sagas with a batch under way or about to begin, and the events waiting for it or the next one. */
  private readonly waiting = new Map<string, Waiting<E, R>[]>();

  constructor(
    private readonly decide: (sagaId: string, events: E[]) => Promise<R>,
    private readonly alone: (event: E) => boolean,
  ) {}

  /** Resolves with the outcome of the batch the event went in. */
  add(sagaId: string, event: E): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const entry = { event, resolve, reject };
      const waiting = this.waiting.get(sagaId);
      if (waiting) {
        waiting.push(entry);
        return;
      }
      const queued = [entry];
      this.waiting.set(sagaId, queued);
      setImmediate(() => void this.drain(sagaId, queued));
    });
  }

  /** Decides `waiting` batch by batch (`add` appends to it meanwhile) until it is empty. */
  private async drain(sagaId: string, waiting: Waiting<E, R>[]): Promise<void> {
    while (waiting.length > 0) {
      // The next batch: one event decided alone, or every event up to the next such one.
      const next = waiting.findIndex((entry) => this.alone(entry.event));
      const batch = waiting.splice(0, next === 0 ? 1 : next === -1 ? waiting.length : next);
      try {
        const result = await this.decide(
          sagaId,
          batch.map((entry) => entry.event),
        );
        batch.forEach((entry) => entry.resolve(result));
      } catch (error) {
        batch.forEach((entry) => entry.reject(error));
      }
    }
    this.waiting.delete(sagaId);
  }
}
