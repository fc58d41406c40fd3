import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { SagaMetadataAccessor } from '../decorators/saga-metadata.accessor';
import type { TaskHandlerMetadata } from '../decorators/task.decorator';
import { buildSagaPlan, type DiscoveredStep, validateContract } from '../definition/saga-plan.builder';
import { toWireName } from '../definition/saga-contract';
import type { SagaView } from '../engine/saga-plan';
import { SAGA_LIFECYCLE, type SagaLifecycle } from '../engine/saga-command';
import type { LifecycleEvent } from '../transport/saga-messages';
import {
  CompensationWithoutTaskError,
  DuplicateSagaError,
  DuplicateTaskHandlerError,
  InvalidSagaOptionError,
  MissingCompensationError,
  RequestScopedHostError,
  UnknownTaskError,
} from '../errors/saga-definition.error';
import type { ResolvedSagaModuleOptions } from '../interfaces/saga-module-options.interface';
import { UnknownFlowError } from '../errors/saga-outcome.error';
import { SAGA_MODULE_OPTIONS } from '../saga.module-definition';
import { SAGA_MESSAGES } from '../saga.messages';
import { UnhostedTaskError, UnorchestratedFlowError } from '../errors/task-hosting.error';
import { SagaRegistry } from './saga.registry';
import { TaskHandlerPipeline } from './task-handler.pipeline';

type Host = {
  instance: Record<string, unknown>;
  metatype: abstract new (...args: never[]) => unknown;
  wrapper: InstanceWrapper;
};

/** Finds `@Saga`, `@Step`, `@Task` and `@Compensate` at bootstrap, validates them and fills the registry. */
@Injectable()
export class SagaExplorer implements OnModuleInit {
  /** Handlers seen so far, checked against their contracts once every provider has been explored. */
  private readonly pending: { where: string; metadata: TaskHandlerMetadata }[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: SagaMetadataAccessor,
    private readonly pipeline: TaskHandlerPipeline,
    private readonly registry: SagaRegistry,
    @Inject(SAGA_MODULE_OPTIONS) private readonly options: ResolvedSagaModuleOptions,
  ) {}

  onModuleInit(): void {
    for (const contract of this.options.contracts) {
      validateContract(contract);
      this.registry.addContract(contract);
    }
    const sagaHosts = new Map<string, string>();
    for (const host of this.hosts()) {
      const saga = this.accessor.getSaga(host.metatype);
      if (saga) this.exploreSaga(host, saga.contract, sagaHosts);
      this.exploreHandlers(host);
      this.exploreEventHandlers(host);
    }
    this.checkHandlers();
    this.checkEventHandlers();
    this.checkOneProcess(sagaHosts);
  }

  private *hosts(): Generator<Host> {
    for (const wrapper of this.discovery.getProviders()) {
      const metatype = (
        !wrapper.metatype || wrapper.inject
          ? (wrapper.instance as object | undefined)?.constructor
          : wrapper.metatype
      ) as Host['metatype'] | undefined;
      if (!metatype || wrapper.isAlias) continue;
      if (!wrapper.isDependencyTreeStatic()) {
        if (this.declaresSagaMetadata(metatype))
          throw new RequestScopedHostError(SAGA_MESSAGES.REQUEST_SCOPED(metatype.name));
        continue;
      }
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      yield { instance, metatype, wrapper };
    }
  }

  private declaresSagaMetadata(metatype: Host['metatype']): boolean {
    if (this.accessor.getSaga(metatype)) return true;
    const prototype = metatype.prototype as object;
    return this.scanner.getAllMethodNames(prototype).some((name) => {
      const method = (prototype as Record<string, () => unknown>)[name];
      return this.accessor.getTaskHandler(method) ?? this.accessor.getEventHandler(method);
    });
  }

  private methods(host: Host): { name: string; fn: (...args: unknown[]) => unknown }[] {
    const prototype = Object.getPrototypeOf(host.instance) as Record<string, (...args: unknown[]) => unknown>;
    return this.scanner.getAllMethodNames(prototype).map((name) => ({ name, fn: prototype[name] }));
  }

  private exploreSaga(
    host: Host,
    contract: Parameters<typeof buildSagaPlan>[0],
    sagaHosts: Map<string, string>,
  ): void {
    const hostName = host.metatype.name;
    const first = sagaHosts.get(contract.name);
    if (first && first !== hostName)
      throw new DuplicateSagaError(SAGA_MESSAGES.DUPLICATE_SAGA(contract.name, first, hostName));
    sagaHosts.set(contract.name, hostName);
    const steps: DiscoveredStep[] = [];
    for (const { name, fn } of this.methods(host)) {
      const step = this.accessor.getStep(fn);
      if (!step) continue;
      steps.push({ ...step, method: name, map: (view: SagaView) => fn.call(host.instance, view) });
    }
    this.registry.addContract(contract);
    if (this.options.orchestrate) {
      const overrides = this.options.overrideTaskOptions;
      this.registry.addPlan(buildSagaPlan(contract, hostName, steps, overrides));
    }
  }

  private exploreHandlers(host: Host): void {
    for (const { name, fn } of this.methods(host)) {
      const metadata = this.accessor.getTaskHandler(fn);
      if (!metadata) continue;
      const where = `${host.metatype.name}.${name}`;
      const task = toWireName(metadata.task);
      const hosted = this.registry.hostedTask(metadata.flow, task);
      const slot: keyof typeof hosted = metadata.kind === 'task' ? 'run' : 'compensate';
      const existing = hosted[slot];
      if (existing) {
        const kind = metadata.kind === 'task' ? 'Task' : 'Compensate';
        throw new DuplicateTaskHandlerError(
          SAGA_MESSAGES.DUPLICATE_HANDLER(kind, metadata.flow, task, existing.where, where),
        );
      }
      hosted[slot] = this.pipeline.bind(host, name, fn, metadata.kind, where);
      this.pending.push({ where, metadata: { ...metadata, task } });
    }
  }

  private exploreEventHandlers(host: Host): void {
    for (const { name, fn } of this.methods(host)) {
      const metadata = this.accessor.getEventHandler(fn);
      if (!metadata) continue;
      const where = `${host.metatype.name}.${name}`;
      const { pattern, subscriber = where } = metadata;
      const handle = async (event: LifecycleEvent) => {
        await fn.call(host.instance, event);
      };
      this.registry.addEventHandler({ subscriber, pattern, where, handle });
    }
  }

  /** An event pattern is `<flow>.<event>`; a flow known here must publish the event. */
  private checkEventHandlers(): void {
    for (const { pattern, where } of this.registry.allEventHandlers()) {
      const [flow, event, ...rest] = pattern.split('.');
      const known = event === '*' || (SAGA_LIFECYCLE as readonly string[]).includes(event);
      if (!flow || !known || rest.length > 0) {
        throw new InvalidSagaOptionError(
          SAGA_MESSAGES.INVALID_OPTION(
            where,
            'pattern',
            pattern,
            `'<flow>.<event>', the event one of ${SAGA_LIFECYCLE.join(', ')} or *`,
          ),
        );
      }
      const contract = flow === '*' ? undefined : this.registry.findContract(flow);
      const published = contract?.events ?? [];
      if (
        contract &&
        (event === '*' ? published.length === 0 : !published.includes(event as SagaLifecycle))
      ) {
        throw new InvalidSagaOptionError(SAGA_MESSAGES.EVENT_NOT_PUBLISHED(where, flow, event));
      }
    }
  }

  /** Checks hosted handlers against the contracts once every provider has been seen. */
  private checkHandlers(): void {
    for (const { where, metadata } of this.pending) {
      const contract = this.registry.findContract(metadata.flow);
      const ref = metadata.ref ?? Object.values(contract?.task ?? {}).find((r) => r.name === metadata.task);
      if (!ref) {
        if (!contract)
          throw new UnknownFlowError(SAGA_MESSAGES.UNKNOWN_FLOW(metadata.flow, []) + ` (${where})`);
        const known = Object.values(contract.task).map((r) => r.name);
        throw new UnknownTaskError(SAGA_MESSAGES.UNKNOWN_TASK(where, metadata.flow, metadata.task, known));
      }
      const hosted = this.registry.hostedTask(metadata.flow, metadata.task);
      if (metadata.kind === 'compensate' && !hosted.run) {
        throw new CompensationWithoutTaskError(
          SAGA_MESSAGES.COMPENSATE_WITHOUT_TASK(where, metadata.flow, metadata.task),
        );
      }
      if (metadata.kind === 'task' && ref.options.compensable !== false && !hosted.compensate) {
        throw new MissingCompensationError(
          SAGA_MESSAGES.MISSING_COMPENSATION(where, metadata.flow, metadata.task),
        );
      }
    }
  }

  /**
   * On the memory transport (by name: a transport instance may be shared by several apps of one process) nothing
   * outside this application runs a task or a saga: a task of a flow orchestrated here must be served here, and
   * a task served here belongs to a flow orchestrated here.
   */
  private checkOneProcess(sagaHosts: Map<string, string>): void {
    if (!this.options.oneProcess) return;
    for (const plan of this.registry.allPlans()) {
      for (const step of plan.steps) {
        for (const { name } of step.tasks) {
          if (this.options.workers && this.registry.findHostedTask(plan.flow, name)?.run) continue;
          const host = sagaHosts.get(plan.flow) ?? plan.flow;
          throw new UnhostedTaskError(SAGA_MESSAGES.UNHOSTED_TASK(host, plan.flow, step.name, name));
        }
      }
    }
    for (const hosted of this.registry.allHostedTasks()) {
      if (this.registry.plan(hosted.flow)) continue;
      const where = (hosted.run ?? hosted.compensate)?.where ?? `${hosted.flow}/${hosted.task}`;
      throw new UnorchestratedFlowError(SAGA_MESSAGES.UNORCHESTRATED_FLOW(where, hosted.flow));
    }
  }
}
