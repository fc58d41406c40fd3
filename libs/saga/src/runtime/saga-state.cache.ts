import type { SagaState } from '../engine/saga-state';

/**
 * The last state this replica committed for each saga it is moving, so that the next reply usually needs
 * no read. It is only a guess: every write is still a compare-and-set on the version, and a lost race or a
 * "nothing changed" answer is checked against the store. Terminal sagas leave it; it never holds more than
 * `capacity` sagas (the oldest go first).
 */
export class SagaStateCache {
  private readonly states = new Map<string, SagaState>();

  constructor(private readonly capacity = 10_000) {}

  get(sagaId: string): SagaState | undefined {
    return this.states.get(sagaId);
  }

  set(state: SagaState): void {
    this.states.delete(state.id);
    this.states.set(state.id, state);
    if (this.states.size > this.capacity) this.states.delete(this.states.keys().next().value as string);
  }

  delete(sagaId: string): void {
    this.states.delete(sagaId);
  }

  get size(): number {
    return this.states.size;
  }
}
