import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Json } from '../engine/saga-state';
import type { OperatorNote, SagaOperatorAction } from '../engine/saga-operator-action';
import { sagaStatusView } from '../engine/saga-status';
import { SagaActionRefusedError } from '../errors/saga-action-refused.error';
import { SagaInputError, SagaNotFoundError, SagaWaitExceededError } from '../errors/saga-outcome.error';
import type { ResolvedSagaModuleOptions } from '../interfaces/saga-module-options.interface';
import type { SagaStatusView } from '../interfaces/saga-status.interface';
import { SagaResultWaiters } from '../runtime/saga-result.waiters';
import { SAGA_STORE, SAGA_TRANSPORT } from '../saga.constants';
import { SAGA_MESSAGES } from '../saga.messages';
import { SAGA_MODULE_OPTIONS } from '../saga.module-definition';
import type { SagaCounts, SagaListPage, SagaListQuery } from '../store/saga-list.interface';
import type { SagaStore } from '../store/saga-store.interface';
import { WIRE_VERSION } from '../transport/saga-messages';
import type { SagaTransport } from '../transport/saga-transport.interface';

/**
 * What operators do to sagas: list them, read their full status (errors, timeline, history), and act on one.
 * Available wherever `SagaModule` is imported. An action travels to the flow's orchestrators on its reply
 * channel and is decided by the engine there, with compare-and-set like any event of the saga, so a gateway
 * that orchestrates nothing can serve the admin API, and an action sent while no orchestrator runs waits in
 * the broker.
 *
 * @example
 * await admin.resume(sagaId, { by: 'alice', reason: 'stock service fixed' });
 */
@Injectable()
export class SagaAdmin {
  constructor(
    private readonly results: SagaResultWaiters,
    @Inject(SAGA_STORE) private readonly store: SagaStore,
    @Inject(SAGA_TRANSPORT) private readonly transport: SagaTransport,
    @Inject(SAGA_MODULE_OPTIONS) private readonly options: ResolvedSagaModuleOptions,
  ) {}

  /**
   * Sagas matching `query`, newest first, one page at a time, from the store's index (never a scan). Throws
   * `RangeError` for a limit outside 1..500 or a cursor it did not hand out.
   */
  list(query: SagaListQuery = {}): Promise<SagaListPage> {
    return this.store.list(query);
  }

  /** How many sagas of `flow` (or of every flow) are in each status, from the store's index (never a scan). */
  count(flow?: string): Promise<SagaCounts> {
    return this.store.count(flow);
  }

  /** The saga's full status, for operators (errors in full, timeline, history); throws `SagaNotFoundError`. */
  async status(sagaId: string): Promise<SagaStatusView> {
    const state = await this.store.load(sagaId);
    if (!state) throw new SagaNotFoundError(SAGA_MESSAGES.UNKNOWN_SAGA(sagaId), sagaId);
    return sagaStatusView(state);
  }

  /** Runs a task (or, while the saga compensates, its compensation) again now, with a fresh attempt budget. */
  retry(sagaId: string, task: string, note: OperatorNote): Promise<SagaStatusView> {
    return this.act(sagaId, { type: 'retry', task, ...note });
  }

  /** A stalled saga runs again from where it stopped: its failed tasks, or its failed compensations. */
  resume(sagaId: string, note: OperatorNote): Promise<SagaStatusView> {
    return this.act(sagaId, { type: 'resume', ...note });
  }

  /** Marks a task succeeded with `output` (going forward), or its compensation done by hand (compensating). */
  skip(sagaId: string, task: string, note: OperatorNote & { output?: Json }): Promise<SagaStatusView> {
    return this.act(sagaId, { type: 'skip', task, ...note });
  }

  /** Rolls a running or stalled saga back now. */
  compensate(sagaId: string, note: OperatorNote): Promise<SagaStatusView> {
    return this.act(sagaId, { type: 'compensate', ...note });
  }

  /** Stops a running saga and undoes what took effect. */
  cancel(sagaId: string, note: OperatorNote): Promise<SagaStatusView> {
    return this.act(sagaId, { type: 'cancel', ...note });
  }

  /**
   * Applies an operator action and resolves with the saga's status right after it. Throws `SagaNotFoundError`,
   * `SagaActionRefusedError` (it does not apply to the saga's state; nothing changed), `SagaInputError` (a
   * missing `by` or `reason`, or a task the flow does not have) or `SagaWaitExceededError` (no orchestrator
   * answered within the module's `waitMs`: the action waits in the broker and applies when one runs).
   */
  async act(sagaId: string, action: SagaOperatorAction): Promise<SagaStatusView> {
    const state = await this.store.load(sagaId);
    if (!state) throw new SagaNotFoundError(SAGA_MESSAGES.UNKNOWN_SAGA(sagaId), sagaId);
    checkAction(state.flow, action);
    const actionId = randomUUID();
    const waitMs = this.options.waitMs;
    const pending = this.results.wait(actionId, 'acted', waitMs);
    const envelope = { v: WIRE_VERSION, sagaId, flow: state.flow, traceId: state.traceId } as const;
    try {
      await this.transport.sendReply({
        ...envelope,
        kind: 'operator',
        actionId,
        replyTo: this.results.address,
        action,
      });
    } catch (error) {
      pending.cancel();
      throw error;
    }
    const answer = await pending.promise;
    if (!answer) {
      const handle = { sagaId, traceId: state.traceId, flow: state.flow };
      throw new SagaWaitExceededError(
        handle,
        waitMs,
        SAGA_MESSAGES.ACTION_NOT_ANSWERED(action.type, state.flow, waitMs),
      );
    }
    const refused = answer.refused;
    if (refused?.code === 'not-found') throw new SagaNotFoundError(refused.message, sagaId);
    if (refused?.code === 'unknown-task') {
      throw new SagaInputError(refused.message, state.flow, [{ field: 'task', messages: [refused.message] }]);
    }
    if (refused) throw new SagaActionRefusedError(refused.message, sagaId, action.type, answer.status);
    return this.status(sagaId);
  }
}

/** Who and why are required: every action lands in the saga's history. */
function checkAction(flow: string, action: SagaOperatorAction): void {
  const fields: { field: string; messages: string[] }[] = [];
  for (const field of ['by', 'reason'] as const) {
    const value: unknown = action[field];
    if (typeof value !== 'string' || value.trim() === '')
      fields.push({ field, messages: [`${field} must be a non-empty string`] });
  }
  if (
    (action.type === 'retry' || action.type === 'skip') &&
    (typeof action.task !== 'string' || action.task === '')
  ) {
    fields.push({ field: 'task', messages: ['task must be a non-empty string'] });
  }
  if (fields.length > 0) throw new SagaInputError(`invalid ${action.type} action`, flow, fields);
}
