import { Injectable } from '@nestjs/common';
import type { SagaContract } from '../definition/saga-contract';
import type { SagaPlan } from '../engine/saga-plan';
import { UnknownFlowError } from '../errors/saga-outcome.error';
import { SAGA_MESSAGES } from '../saga.messages';
import type { LifecycleEvent } from '../transport/saga-messages';

/** A discovered handler method, run through Nest's enhancers (guards, interceptors, pipes, filters). */
export interface TaskHandlerBinding {
  /** `Class.method`, for messages and logs. */
  where: string;
  invoke: (...args: unknown[]) => Promise<unknown>;
}

/** An `@OnSagaEvent` method: the events of `pattern`, delivered to `subscriber`'s queue. */
export interface SagaEventHandler {
  subscriber: string;
  pattern: string;
  where: string;
  handle: (event: LifecycleEvent) => Promise<void>;
}

export interface HostedTask {
  flow: string;
  task: string;
  run?: TaskHandlerBinding;
  compensate?: TaskHandlerBinding;
}

/** What the explorer found: contracts, the plans this app orchestrates, and the tasks it hosts. */
@Injectable()
export class SagaRegistry {
  private readonly contracts = new Map<string, SagaContract>();
  private readonly plans = new Map<string, SagaPlan>();
  private readonly tasks = new Map<string, HostedTask>();
  private readonly events: SagaEventHandler[] = [];

  addContract(contract: SagaContract): void {
    this.contracts.set(contract.name, contract);
  }

  addPlan(plan: SagaPlan): void {
    this.plans.set(plan.flow, plan);
  }

  hostedTask(flow: string, task: string): HostedTask {
    const key = `${flow}/${task}`;
    let hosted = this.tasks.get(key);
    if (!hosted) this.tasks.set(key, (hosted = { flow, task }));
    return hosted;
  }

  findHostedTask(flow: string, task: string): HostedTask | undefined {
    return this.tasks.get(`${flow}/${task}`);
  }

  contract(flow: string): SagaContract {
    const contract = this.contracts.get(flow);
    if (!contract) throw new UnknownFlowError(SAGA_MESSAGES.UNKNOWN_FLOW(flow, [...this.contracts.keys()]));
    return contract;
  }

  findContract(flow: string): SagaContract | undefined {
    return this.contracts.get(flow);
  }

  plan(flow: string): SagaPlan | undefined {
    return this.plans.get(flow);
  }

  allPlans(): SagaPlan[] {
    return [...this.plans.values()];
  }

  allHostedTasks(): HostedTask[] {
    return [...this.tasks.values()];
  }

  addEventHandler(handler: SagaEventHandler): void {
    this.events.push(handler);
  }

  allEventHandlers(): readonly SagaEventHandler[] {
    return this.events;
  }
}
