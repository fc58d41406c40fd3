import { Body, Controller, Injectable, Post, Query } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { IsString, Length } from 'class-validator';
import {
  Compensate,
  defineSaga,
  IdempotencyKey,
  Saga,
  SagaClient,
  SagaExceptionFilter,
  SagaHttpModule,
  SagaModule,
  type SagaState,
  sagaTraceId,
  Step,
  Task,
  task,
  TaskRejectedError,
  TraceId,
} from '@dta/saga';

/**
 * DTA's HTTP pieces on Fastify instead of Express: the trace id middleware, `@TraceId()` / `@IdempotencyKey()`,
 * `SagaExceptionFilter` answering through the HttpAdapterHost (409, 400, 202 with Location, 404), and
 * `GET /sagas/:id` from `SagaHttpModule`. One process, memory transport and store.
 */
class VisaRequest {
  @IsString()
  @Length(2, 2)
  country!: string;
}

const Visa = defineSaga('visa', {
  input: VisaRequest,
  tasks: {
    checkPassport: task<VisaRequest, { ok: true }>(),
    issueVisa: task<VisaRequest, { visaId: string }>({ attempts: 1 }),
  },
});

/** How long issue-visa takes, per test. */
const slow = { ms: 0, release: Promise.resolve() };

@Saga(Visa)
class VisaSaga {
  @Step(1, ['checkPassport'])
  check(s: SagaState<typeof Visa>) {
    return { checkPassport: s.input };
  }

  @Step(2, ['issueVisa'])
  issue(s: SagaState<typeof Visa>) {
    return { issueVisa: s.input };
  }
}

@Injectable()
class Consulate {
  @Task(Visa.task.checkPassport)
  check() {
    return { ok: true as const };
  }

  @Compensate(Visa.task.checkPassport)
  uncheck() {}

  @Task(Visa.task.issueVisa)
  async issue(input: VisaRequest) {
    await slow.release;
    if (input.country === 'XX') throw new TaskRejectedError('no such country', { country: 'XX' });
    return { visaId: `V-${input.country}` };
  }

  @Compensate(Visa.task.issueVisa)
  revoke() {}
}

@Controller('visas')
class VisasController {
  constructor(private readonly sagas: SagaClient) {}

  @Post()
  async apply(
    @Body() body: VisaRequest,
    @TraceId() traceId: string,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Query('waitMs') waitMs?: string,
  ) {
    const options = { traceId, idempotencyKey, ...(waitMs ? { waitMs: Number(waitMs) } : {}) };
    const { sagaId, result } = await this.sagas.run(Visa, body, options);
    return { sagaId, traceId, visaId: result['issue-visa'].visaId };
  }
}

describe('DTA over HTTP on Fastify', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [SagaModule.forRoot({}), SagaHttpModule],
      controllers: [VisasController],
      providers: [VisaSaga, Consulate, { provide: APP_FILTER, useClass: SagaExceptionFilter }],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app.use(sagaTraceId);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  const apply = (payload: object, query = '', headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: `/visas${query}`, payload, headers });

  it('runs a saga, echoing the trace id the caller sent', async () => {
    const res = await apply({ country: 'PT' }, '', { 'x-request-id': 'trip-42' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-request-id']).toBe('trip-42');
    expect(res.json()).toMatchObject({ traceId: 'trip-42', visaId: 'V-PT' });
  });

  it('answers 409 with the refusal and its details for a rolled-back saga', async () => {
    const res = await apply({ country: 'XX' });
    expect(res.statusCode).toBe(409);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.json()).toMatchObject({
      status: 'compensated',
      failedTask: 'issue-visa',
      error: 'no such country',
      details: { country: 'XX' },
      compensated: ['check-passport'],
    });
  });

  it('answers 400 naming the bad field before anything starts', async () => {
    const res = await apply({ country: 'Portugal' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, message: [expect.stringMatching(/country/)] });
  });

  it('answers 202 with Location for a saga still running, which GET /sagas/:id then shows', async () => {
    let release!: () => void;
    slow.release = new Promise<void>((resolve) => (release = resolve));
    const res = await apply({ country: 'NO' }, '?waitMs=50');
    expect(res.statusCode).toBe(202);
    const { sagaId, statusUrl } = res.json<{ sagaId: string; statusUrl: string }>();
    expect(res.headers.location).toBe(`/sagas/${sagaId}`);
    expect(statusUrl).toBe(`/sagas/${sagaId}`);
    const running = await app.inject({ method: 'GET', url: statusUrl });
    expect(running.statusCode).toBe(200);
    expect(running.json()).toMatchObject({ id: sagaId, status: 'running' });
    release();
    slow.release = Promise.resolve();
  });

  it('answers 404 for a saga it does not know', async () => {
    const res = await app.inject({ method: 'GET', url: '/sagas/no-such-saga' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});
