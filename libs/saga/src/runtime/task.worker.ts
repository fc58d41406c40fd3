import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { TaskBarrier } from '../barrier/task.barrier';
import type { Json, SagaError } from '../engine/saga-state';
import { TaskRejectedError } from '../errors/task-rejected.error';
import type { CompensationContext, TaskContext } from '../interfaces/task-context.interface';
import type { ResolvedSagaModuleOptions } from '../interfaces/saga-module-options.interface';
import { SAGA_BARRIER } from './saga-runtime.tokens';
import { SAGA_MODULE_OPTIONS } from '../saga.module-definition';
import { SAGA_TRANSPORT } from '../saga.constants';
import type { ReplyMessage, TaskMessage } from '../transport/saga-messages';
import type { SagaTransport } from '../transport/saga-transport.interface';
import { SagaRegistry, type HostedTask } from './saga.registry';
import { toJson } from './json';
import { sagaLog } from './saga-log';

/** How long a run holds its task in the barrier when the command does not say (its task timeout). */
const DEFAULT_LEASE_MS = 30_000;

function taskContext(message: TaskMessage): TaskContext {
  const { sagaId, traceId, flow, step, task, attempt, sagaInput, outputs } = message;
  return { sagaId, traceId, flow, step, task, attempt, sagaInput, outputs };
}

function toSagaError(error: unknown): SagaError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { message: String(error) };
}

/** Consumes the commands of the tasks hosted here, runs their handlers behind the barrier and replies. */
@Injectable()
export class TaskWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger(TaskWorker.name);

  constructor(
    private readonly registry: SagaRegistry,
    @Inject(SAGA_TRANSPORT) private readonly transport: SagaTransport,
    @Inject(SAGA_BARRIER) private readonly barrier: TaskBarrier,
    @Inject(SAGA_MODULE_OPTIONS) private readonly options: ResolvedSagaModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.workers) return;
    for (const hosted of this.registry.allHostedTasks()) {
      if (!hosted.run) continue;
      await this.transport.consumeTasks(hosted.flow, hosted.task, (message) => this.handle(hosted, message), {
        prefetch: this.options.prefetch,
      });
    }
  }

  private async handle(hosted: HostedTask, message: TaskMessage): Promise<void> {
    const reply =
      message.kind === 'run' ? await this.run(hosted, message) : await this.compensate(hosted, message);
    if (reply) await this.transport.sendReply(reply);
  }

  private async run(hosted: HostedTask, message: TaskMessage): Promise<ReplyMessage | undefined> {
    const base = this.replyBase(message);
    const entry = await this.barrier.enterTask(
      message.sagaId,
      message.task,
      message.timeoutMs ?? DEFAULT_LEASE_MS,
    );
    switch (entry.kind) {
      case 'done':
        return { ...base, ok: true, output: entry.output };
      case 'refused':
        return {
          ...base,
          ok: false,
          retryable: false,
          error: { name: 'TaskCompensatedError', message: 'the task was compensated before it ran' },
        };
      case 'busy':
        return {
          ...base,
          ok: false,
          retryable: true,
          error: { name: 'TaskBusyError', message: 'another attempt of this task is running' },
        };
    }
    let output: Json;
    try {
      output = toJson(await hosted.run!.invoke(message.input, taskContext(message)));
    } catch (error) {
      await this.barrier.taskAbandoned(message.sagaId, message.task);
      const rejected = error instanceof TaskRejectedError;
      this.log(
        message,
        `${rejected ? 'rejected' : 'failed'}: ${toSagaError(error).message}`,
        rejected ? 'log' : 'warn',
      );
      return { ...base, ok: false, retryable: !rejected, error: toSagaError(error) };
    }
    if (!(await this.barrier.taskDone(message.sagaId, message.task, output))) {
      this.log(message, 'finished after its compensation: its effect must be undone by hand', 'error');
    }
    return { ...base, ok: true, output };
  }

  private async compensate(hosted: HostedTask, message: TaskMessage): Promise<ReplyMessage> {
    const base = this.replyBase(message);
    const entry = await this.barrier.enterCompensation(message.sagaId, message.task);
    if (entry.kind === 'busy') {
      return {
        ...base,
        ok: false,
        retryable: true,
        error: { name: 'TaskBusyError', message: 'the task is still running' },
      };
    }
    if (entry.kind === 'compensate') {
      const context: CompensationContext = {
        ...taskContext(message),
        input: message.input,
        output: message.output ?? entry.output,
        outcome: entry.outcome,
      };
      try {
        await hosted.compensate!.invoke(context);
      } catch (error) {
        this.log(message, `compensation failed: ${toSagaError(error).message}`, 'warn');
        return { ...base, ok: false, retryable: true, error: toSagaError(error) };
      }
      await this.barrier.compensationDone(message.sagaId, message.task);
    }
    return { ...base, ok: true };
  }

  private replyBase(message: TaskMessage) {
    return {
      v: message.v,
      sagaId: message.sagaId,
      flow: message.flow,
      traceId: message.traceId,
      kind: message.kind,
      task: message.task,
      attempt: message.attempt,
    } as const;
  }

  private log(message: TaskMessage, text: string, level: 'log' | 'warn' | 'error'): void {
    this.logger[level](
      sagaLog(`${message.flow}/${message.task} attempt ${message.attempt} ${text}`, message),
    );
  }
}
