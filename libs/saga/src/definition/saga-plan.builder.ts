import { SAGA_LIFECYCLE } from '../engine/saga-command';
import type {
  PlannedStep,
  SagaPlan,
  StepAggregator,
  StepFailurePolicy,
  StepMapper,
} from '../engine/saga-plan';
import {
  DuplicateStepError,
  EmptySagaError,
  EmptyStepError,
  InvalidSagaOptionError,
  UnknownTaskError,
} from '../errors/saga-definition.error';
import { SAGA_MESSAGES } from '../saga.messages';
import type { SagaContract, TaskOptions, TaskTimingOptions } from './saga-contract';
import { toWireName } from './saga-contract';
import type { SagaState } from './saga-view';
import { duration, resolveTaskPolicy } from './task-policy';

/** A `@Step` method as discovered on a saga class. */
export interface DiscoveredStep {
  method: string;
  order: number;
  tasks: string[];
  name?: string;
  onFailure?: StepFailurePolicy;
  aggregator?: StepAggregator;
  pivot?: boolean;
  map: StepMapper;
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const STEP_FAILURE_POLICIES: readonly StepFailurePolicy[] = ['compensate', 'stall'];
const STEP_AGGREGATORS = ['all', 'failFast', 'bestEffort', 'quorum(k)'];
/** Task names that would collide with the flow's own queues (see SagaTopology). */
const RESERVED_TASK_NAMES = ['start', 'replies'];

/** Checks a contract's names and options; returns the resolved task policies by wire name. */
export function validateContract(contract: SagaContract): void {
  const where = `defineSaga('${contract.name}')`;
  if (!NAME.test(contract.name)) {
    throw new InvalidSagaOptionError(
      SAGA_MESSAGES.INVALID_OPTION(where, 'name', contract.name, 'lower-case letters, digits and dashes'),
    );
  }
  for (const ref of Object.values(contract.task)) {
    if (!NAME.test(ref.name) || RESERVED_TASK_NAMES.includes(ref.name)) {
      throw new InvalidSagaOptionError(
        SAGA_MESSAGES.INVALID_OPTION(
          where,
          `tasks.${ref.key}`,
          ref.name,
          `a name of letters and digits other than ${RESERVED_TASK_NAMES.join(', ')}`,
        ),
      );
    }
    resolveTaskPolicy(`${where} task '${ref.key}'`, ref.options);
  }
  sagaDeadlineOf(contract);
  for (const event of contract.events ?? []) {
    if (!SAGA_LIFECYCLE.includes(event)) {
      throw new InvalidSagaOptionError(
        SAGA_MESSAGES.INVALID_OPTION(where, 'events', event, `one of ${SAGA_LIFECYCLE.join(', ')}`),
      );
    }
  }
}

function withOverrides(options: TaskOptions, overrides: TaskTimingOptions): TaskOptions {
  if (Object.keys(overrides).length === 0) return options;
  return { ...options, ...overrides, backoff: { ...options.backoff, ...overrides.backoff } };
}

/** The contract's `result`, fed the engine's view of the saga (the same methods as `SagaState`, untyped). */
function resultOf(contract: SagaContract): SagaPlan['result'] {
  return (view) => contract.result?.(view as SagaState<SagaContract>);
}

/** The step's aggregator, checked: a known name, or a quorum between 1 and the number of its tasks. */
function stepAggregator(where: string, step: DiscoveredStep): StepAggregator {
  const aggregator = step.aggregator ?? 'all';
  if (aggregator === 'all' || aggregator === 'failFast' || aggregator === 'bestEffort') return aggregator;
  const k: unknown = typeof aggregator === 'object' && aggregator !== null ? aggregator.quorum : undefined;
  if (typeof k === 'number' && Number.isInteger(k) && k >= 1 && k <= step.tasks.length) return { quorum: k };
  const wanted =
    k === undefined
      ? `one of ${STEP_AGGREGATORS.join(', ')}`
      : `a quorum(k) with k a whole number from 1 to ${step.tasks.length} (the step's tasks)`;
  throw new InvalidSagaOptionError(SAGA_MESSAGES.INVALID_OPTION(where, 'aggregator', aggregator, wanted));
}

function sagaDeadlineOf(contract: SagaContract): number | undefined {
  if (contract.deadline === undefined) return undefined;
  return duration(`defineSaga('${contract.name}')`, 'deadline', contract.deadline);
}

/**
 * Builds the engine's plan of a flow from its contract and the `@Step` methods of its saga class; `overrides`
 * replace the contract's timings of every task (`SagaModule`'s `overrideTaskOptions`, for tests).
 */
export function buildSagaPlan(
  contract: SagaContract,
  host: string,
  steps: DiscoveredStep[],
  overrides: TaskTimingOptions = {},
): SagaPlan {
  validateContract(contract);
  if (steps.length === 0) throw new EmptySagaError(SAGA_MESSAGES.NO_STEPS(host, contract.name));
  const refs = Object.values(contract.task);
  const byKeyOrName = new Map(refs.flatMap((ref) => [[ref.key, ref] as const, [ref.name, ref] as const]));
  const known = refs.map((ref) => ref.key);
  const used = new Set<string>();
  const names = new Set<string>();
  const orders = new Set<number>();
  let pivot: string | undefined;

  const planned: PlannedStep[] = [...steps]
    .sort((a, b) => a.order - b.order)
    .map((step) => {
      const name = step.name ?? toWireName(step.method);
      if (!Number.isFinite(step.order)) {
        throw new DuplicateStepError(
          SAGA_MESSAGES.DUPLICATE_STEP(host, step.method, `order ${step.order} is not a number`),
        );
      }
      if (orders.has(step.order)) {
        throw new DuplicateStepError(
          SAGA_MESSAGES.DUPLICATE_STEP(host, step.method, `order ${step.order} is taken by another step`),
        );
      }
      if (names.has(name))
        throw new DuplicateStepError(
          SAGA_MESSAGES.DUPLICATE_STEP(host, step.method, `name '${name}' is taken`),
        );
      if (step.tasks.length === 0) throw new EmptyStepError(SAGA_MESSAGES.EMPTY_STEP(host, step.method));
      if (step.onFailure !== undefined && !STEP_FAILURE_POLICIES.includes(step.onFailure)) {
        throw new InvalidSagaOptionError(
          SAGA_MESSAGES.INVALID_OPTION(
            `${host}.${step.method}`,
            'onFailure',
            step.onFailure,
            `one of ${STEP_FAILURE_POLICIES.join(', ')}`,
          ),
        );
      }
      const where = `${host}.${step.method}`;
      const aggregator = stepAggregator(where, step);
      if (pivot !== undefined && step.onFailure === 'compensate') {
        throw new InvalidSagaOptionError(
          SAGA_MESSAGES.INVALID_OPTION(
            where,
            'onFailure',
            step.onFailure,
            `'stall': it comes after the pivot step '${pivot}'`,
          ),
        );
      }
      if (step.pivot !== undefined && typeof step.pivot !== 'boolean') {
        throw new InvalidSagaOptionError(
          SAGA_MESSAGES.INVALID_OPTION(where, 'pivot', step.pivot, 'true or false'),
        );
      }
      if (step.pivot && pivot !== undefined) {
        throw new InvalidSagaOptionError(
          SAGA_MESSAGES.INVALID_OPTION(
            where,
            'pivot',
            step.pivot,
            `false: step '${pivot}' is the flow's pivot already`,
          ),
        );
      }
      if (step.pivot) pivot = name;
      orders.add(step.order);
      names.add(name);
      return {
        name,
        map: step.map,
        ...(step.onFailure === 'stall' ? { onFailure: step.onFailure } : {}),
        ...(aggregator !== 'all' ? { aggregator } : {}),
        ...(step.pivot ? { pivot: true } : {}),
        tasks: step.tasks.map((task) => {
          const ref = byKeyOrName.get(task);
          if (!ref)
            throw new UnknownTaskError(
              SAGA_MESSAGES.UNKNOWN_TASK(`${host}.${step.method}`, contract.name, task, known),
            );
          if (used.has(ref.name))
            throw new UnknownTaskError(SAGA_MESSAGES.TASK_IN_TWO_STEPS(host, contract.name, ref.key));
          used.add(ref.name);
          return {
            name: ref.name,
            key: ref.key,
            policy: resolveTaskPolicy(`${contract.name}/${ref.name}`, withOverrides(ref.options, overrides)),
          };
        }),
      };
    });

  const unused = refs.find((ref) => !used.has(ref.name));
  if (unused) throw new UnknownTaskError(SAGA_MESSAGES.TASK_IN_NO_STEP(host, contract.name, unused.key));
  const deadlineMs = sagaDeadlineOf(contract);
  return {
    flow: contract.name,
    steps: planned,
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    ...(contract.events ? { events: contract.events } : {}),
    ...(contract.result ? { result: resultOf(contract) } : {}),
  };
}
