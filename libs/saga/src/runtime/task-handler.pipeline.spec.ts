import {
  type CallHandler,
  type CanActivate,
  Catch,
  type ExceptionFilter,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  UseFilters,
  UseGuards,
  UseInterceptors,
  ValidationPipe,
} from '@nestjs/common';
import { ExternalExceptionFilter } from '@nestjs/core/exceptions/external-exception-filter';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsInt, IsNotEmpty, IsString, Min } from 'class-validator';
import { map } from 'rxjs';
import { Compensate, SagaCtx, SagaPayload, Saga, Step, Task } from '../decorators';
import { defineSaga, task } from '../definition/saga-contract';
import type { SagaView } from '../engine/saga-plan';
import { SagaCompensatedError } from '../errors/saga-outcome.error';
import { TaskRejectedError } from '../errors/task-rejected.error';
import type { CompensationContext, TaskRunContext } from '../interfaces/task-context.interface';
import { SAGA_CONTEXT_TYPE } from '../saga.constants';
import { SagaModule } from '../saga.module';
import { SagaClient } from './saga.client';

class ChargeDto {
  @IsString()
  @IsNotEmpty()
  card!: string;

  @IsInt()
  @Min(1)
  amount!: number;
}

type Held = { held: string };
type Paid = { paid: number };
type ShipCmd = { mode: 'ok' | 'reject' | 'forbid' };

const Shop = defineSaga('shop', {
  tasks: {
    reserve: task<{ sku: string }, Held>({ attempts: 1 }),
    charge: task<ChargeDto, Paid>({ attempts: 3, backoff: { delay: '10ms' } }),
    ship: task<ShipCmd, null>({ attempts: 2, backoff: { delay: '10ms' }, compensable: false }),
  },
});

type ShopInput = { card: string; amount: number; ship?: ShipCmd['mode'] };

@Saga(Shop)
class ShopSaga {
  @Step(1, ['reserve'])
  hold() {
    return { reserve: { sku: 'sku-1' } };
  }

  @Step(2, ['charge'])
  pay(s: SagaView) {
    const { card, amount } = s.input as ShopInput;
    return { charge: { card, amount } };
  }

  @Step(3, ['ship'])
  send(s: SagaView) {
    return { ship: { mode: (s.input as ShopInput).ship ?? 'ok' } };
  }
}

class CardDeclinedError extends Error {}

/** Translates a decline into a refusal: without it, the decline would be retried. */
@Catch(CardDeclinedError)
class DeclineFilter implements ExceptionFilter {
  catch(error: CardDeclinedError): never {
    throw new TaskRejectedError(`card declined: ${error.message}`);
  }
}

/** Declared on the class, and catches nothing the handlers throw. */
@Catch(RangeError)
@Injectable()
class RangeFilter implements ExceptionFilter {
  catch(): never {
    throw new TaskRejectedError('out of range');
  }
}

const seen: {
  calls: string[];
  guard?: { type: string; input: unknown };
  reserve?: unknown[];
  charge?: { cmd: unknown; ctx: TaskRunContext };
  release?: CompensationContext<{ sku: string }, Held>;
  refund?: { ctx: CompensationContext<ChargeDto, Paid>; cmd: unknown };
} = { calls: [] };

@Injectable()
class ShipGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const [input] = context.getArgs<[ShipCmd]>();
    seen.guard = { type: context.getType(), input };
    return input.mode !== 'forbid';
  }
}

@Injectable()
class UpperCaseInterceptor implements NestInterceptor {
  intercept(_: ExecutionContext, next: CallHandler<Held>) {
    return next.handle().pipe(map(({ held }) => ({ held: held.toUpperCase() })));
  }
}

const validated = () => new ValidationPipe({ transform: true });

@Injectable()
@UseFilters(RangeFilter)
class ShopTasks {
  // Positional, as before: (input, ctx) and (ctx).
  @Task(Shop.task.reserve)
  @UseInterceptors(UpperCaseInterceptor)
  reserve(input: { sku: string }, ctx: TaskRunContext): Held {
    seen.reserve = [input, ctx];
    return { held: input.sku };
  }

  @Compensate(Shop.task.reserve)
  release(ctx: CompensationContext<{ sku: string }, Held>): void {
    seen.release = ctx;
  }

  @Task(Shop.task.charge)
  @UseFilters(new DeclineFilter())
  charge(@SagaPayload(validated()) cmd: ChargeDto, @SagaCtx() ctx: TaskRunContext): Paid {
    seen.calls.push(`charge:${cmd.card}`);
    seen.charge = { cmd, ctx };
    if (cmd.card === 'declined') throw new CardDeclinedError('no funds');
    if (cmd.card === 'flaky') throw new Error('gateway down');
    return { paid: cmd.amount };
  }

  @Compensate(Shop.task.charge)
  refund(@SagaCtx() ctx: CompensationContext<ChargeDto, Paid>, @SagaPayload(validated()) cmd: ChargeDto) {
    seen.refund = { ctx, cmd };
  }

  @Task(Shop.task.ship)
  @UseGuards(ShipGuard)
  ship(cmd: ShipCmd): null {
    if (cmd.mode === 'reject') throw new TaskRejectedError('no courier');
    return null;
  }
}

/** What the compiler checks of handlers: each `@ts-expect-error` is a signature that must not compile. */
@Injectable()
export class MistypedTasks {
  // @ts-expect-error -- an input of the wrong type, decorated or not
  @Task(Shop.task.charge)
  charge(@SagaPayload() cmd: { card: number }, @SagaCtx() ctx: TaskRunContext) {
    return { paid: Number(cmd.card) + ctx.attempt };
  }

  // @ts-expect-error -- a compensation takes its context first, its input second
  @Compensate(Shop.task.charge)
  refund(@SagaPayload() cmd: ChargeDto, @SagaCtx() ctx: CompensationContext<ChargeDto, Paid>) {
    return [cmd, ctx];
  }

  // @ts-expect-error -- an output of the wrong type
  @Task(Shop.task.reserve)
  reserve(input: { sku: string }) {
    return { held: input.sku.length };
  }
}

describe('task handlers through the enhancer pipeline (memory transport and store)', () => {
  let moduleRef: TestingModule;
  let client: SagaClient;
  const nestErrorLog = jest.spyOn(
    (ExternalExceptionFilter as unknown as { logger: { error: (...args: unknown[]) => void } }).logger,
    'error',
  );

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [SagaModule.forRoot({ sweepIntervalMs: 10, waitMs: 5_000 })],
      providers: [ShopSaga, ShopTasks],
    }).compile();
    await moduleRef.init();
    client = moduleRef.get(SagaClient);
  });

  afterAll(() => moduleRef.close());

  beforeEach(() => {
    seen.calls = [];
    for (const key of ['guard', 'reserve', 'charge', 'release', 'refund'] as const) delete seen[key];
    nestErrorLog.mockClear();
  });

  async function compensated(input: ShopInput) {
    const error = await client.run(Shop, input).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SagaCompensatedError);
    return client.status((error as SagaCompensatedError).sagaId);
  }

  it('hands a valid input to the handler as an instance of its DTO, and the context through @SagaCtx()', async () => {
    const done = await client.run(Shop, { card: 'visa', amount: 20 });
    expect(done.result['charge']).toEqual({ paid: 20 });
    expect(seen.charge?.cmd).toBeInstanceOf(ChargeDto);
    expect(seen.charge?.ctx).toMatchObject({ sagaId: done.sagaId, flow: 'shop', task: 'charge', attempt: 1 });
  });

  it('calls a handler without parameter decorators positionally, as before, with its interceptor', async () => {
    const done = await client.run(Shop, { card: 'visa', amount: 20 });
    const [input, ctx] = seen.reserve ?? [];
    expect(input).toEqual({ sku: 'sku-1' });
    expect(ctx).toMatchObject({ sagaId: done.sagaId, task: 'reserve', attempt: 1 });
    expect(done.result['reserve']).toEqual({ held: 'SKU-1' });
  });

  it('fails a task whose ValidationPipe refuses the input for good: no retry, compensation, the field messages in the status', async () => {
    const status = await compensated({ card: '', amount: 0 });
    const charge = status.steps[1].tasks[0];
    expect(charge).toMatchObject({ name: 'charge', status: 'failed', attempts: 1 });
    expect(charge.error).toMatchObject({
      name: 'TaskRejectedError',
      message: 'card should not be empty; amount must not be less than 1',
    });
    expect(seen.calls).toEqual([]);
    expect(status.steps[0].tasks[0].compensation).toMatchObject({ status: 'succeeded' });
    expect(seen.release).toMatchObject({ input: { sku: 'sku-1' }, output: { held: 'SKU-1' } });
  });

  it('lets a @UseFilters filter translate an error, here into a refusal', async () => {
    const status = await compensated({ card: 'declined', amount: 5 });
    expect(status.steps[1].tasks[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { name: 'TaskRejectedError', message: 'card declined: no funds' },
    });
    expect(seen.calls).toEqual(['charge:declined']);
  });

  it('retries an error no filter catches, as before, and Nest logs nothing for it', async () => {
    const status = await compensated({ card: 'flaky', amount: 5 });
    expect(status.steps[1].tasks[0]).toMatchObject({ status: 'failed', attempts: 3 });
    expect(seen.calls).toEqual(['charge:flaky', 'charge:flaky', 'charge:flaky']);
    expect(nestErrorLog).not.toHaveBeenCalled();
  });

  it('gives a compensation its context, then its input through its pipes', async () => {
    const status = await compensated({ card: 'visa', amount: 7, ship: 'reject' });
    expect(status.failure).toMatchObject({ task: 'ship', error: { message: 'no courier' } });
    expect(seen.refund?.cmd).toBeInstanceOf(ChargeDto);
    expect(seen.refund?.cmd).toMatchObject({ card: 'visa', amount: 7 });
    expect(seen.refund?.ctx).toMatchObject({ task: 'charge', output: { paid: 7 }, outcome: 'succeeded' });
  });

  it('runs guards with the handler arguments; a refusal fails the task for good', async () => {
    const status = await compensated({ card: 'visa', amount: 7, ship: 'forbid' });
    expect(seen.guard).toEqual({ type: SAGA_CONTEXT_TYPE, input: { mode: 'forbid' } });
    expect(status.steps[2].tasks[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { name: 'TaskRejectedError', message: 'Forbidden resource' },
    });
  });
});
