import type { SagaStore } from '../store/saga-store.interface';

/** How often versions left over are cleared on their own: each waits one to two periods. */
const CLEAR_PERIOD_MS = 1_000;

/**
 * Outbox versions this orchestrator published and has not cleared yet. A saga's next commit drops them in
 * the same write (`SagaStore.commit`'s `published`), which saves one store write per transition. Versions
 * of a saga with no next commit here soon (its tasks run long, another replica takes its next reply) are
 * cleared on their own within two periods, well before the sweeper would publish them again (5 s). A
 * version lost on a crash is only published again by the sweeper: consumers deduplicate.
 */
export class PublishedOutboxes {
  /** Versions added during the current period, and during the one before (cleared at the next tick). */
  private recent = new Map<string, number[]>();
  private older = new Map<string, number[]>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: SagaStore,
    private readonly onClearFailed: (sagaId: string, version: number, error: unknown) => void,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.clearOlder(), CLEAR_PERIOD_MS).unref();
  }

  /** Stops the ticks and clears every version still held. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.clearOlder();
    await this.clearOlder();
  }

  /** Records that the commands of `version` all went out. */
  add(sagaId: string, version: number): void {
    const versions = this.recent.get(sagaId);
    if (versions) versions.push(version);
    else this.recent.set(sagaId, [version]);
  }

  /** Hands over the versions of `sagaId` to its next commit, which drops them; `restore` if it failed. */
  take(sagaId: string): number[] {
    const versions = [...(this.older.get(sagaId) ?? []), ...(this.recent.get(sagaId) ?? [])];
    this.older.delete(sagaId);
    this.recent.delete(sagaId);
    return versions;
  }

  restore(sagaId: string, versions: readonly number[]): void {
    for (const version of versions) this.add(sagaId, version);
  }

  private async clearOlder(): Promise<void> {
    const due = this.older;
    this.older = this.recent;
    this.recent = new Map();
    const clears = [...due].flatMap(([sagaId, versions]) =>
      versions.map((version) =>
        this.store
          .clearOutbox(sagaId, version)
          .catch((error: unknown) => this.onClearFailed(sagaId, version, error)),
      ),
    );
    await Promise.all(clears);
  }
}
