import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import { SagaActionRefusedError } from '../errors/saga-action-refused.error';
import { SagaInputError, SagaNotFoundError, SagaWaitExceededError } from '../errors/saga-outcome.error';
import { SagaAdminModule } from './saga-admin.module';
import { SAGA_ADMIN_OPERATIONS, type SagaAdminOperations } from './saga-admin.operations';

const TOKEN = 'operator-token-0123456789';
const VIEW = { id: 's-1', flow: 'booking', status: 'stalled', timeline: [{ at: 1 }], history: [] };

/** The REST controller over a SagaAdmin-shaped fake: what it passes on, and how each error reads. */
describe('SagaAdminController', () => {
  let app: INestApplication;
  let http: App;
  const admin: jest.Mocked<SagaAdminOperations> = {
    list: jest.fn(),
    count: jest.fn(),
    status: jest.fn(),
    act: jest.fn(),
  };
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [SagaAdminModule.forRoot({ token: TOKEN })] })
      .overrideProvider(SAGA_ADMIN_OPERATIONS)
      .useValue(admin)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    http = app.getHttpServer() as App;
  });

  afterAll(() => app.close());
  beforeEach(() => jest.resetAllMocks());

  it('passes the view through as JSON, timeline and history included', async () => {
    admin.status.mockResolvedValue(VIEW as never);
    const response = await request(http).get('/admin/sagas/s-1').set(auth).expect(200);
    expect(response.body).toEqual(VIEW);
    expect(admin.status).toHaveBeenCalledWith('s-1');
  });

  it('passes the store query on: stalled=true as status, times as epoch ms', async () => {
    admin.list.mockResolvedValue({ sagas: [], next: 'c2' });
    const response = await request(http)
      .get('/admin/sagas?stalled=true&from=2026-01-01T00:00:00Z&limit=5&cursor=c1')
      .set(auth)
      .expect(200);
    expect(response.body).toEqual({ sagas: [], next: 'c2' });
    expect(admin.list).toHaveBeenCalledWith({
      status: 'stalled',
      from: 1767225600000,
      limit: 5,
      cursor: 'c1',
    });
  });

  it('counts by status for one flow or all, refusing a repeated flow', async () => {
    const counts = { running: 2, compensating: 0, stalled: 1, completed: 5, compensated: 1 };
    admin.count.mockResolvedValue(counts);
    await request(http).get('/admin/sagas/counts').set(auth).expect(200, { counts });
    await request(http)
      .get('/admin/sagas/counts?flow=booking')
      .set(auth)
      .expect(200, { flow: 'booking', counts });
    expect(admin.count.mock.calls).toEqual([[undefined], ['booking']]);
    const refused = await request(http).get('/admin/sagas/counts?flow=a&flow=b').set(auth).expect(400);
    expect(JSON.stringify(refused.body)).toMatch(/flow/);
    await request(http).get('/admin/sagas/counts').expect(401);
  });

  it('sends each action with its operator and reason', async () => {
    admin.act.mockResolvedValue(VIEW as never);
    await request(http)
      .post('/admin/sagas/s-1/resume')
      .set(auth)
      .set('x-operator', 'bob')
      .send({ reason: 'fixed' })
      .expect(200);
    await request(http)
      .post('/admin/sagas/s-1/retry')
      .set(auth)
      .send({ task: 'reserve-stock', reason: 'again' })
      .expect(200);
    await request(http)
      .post('/admin/sagas/s-1/skip')
      .set(auth)
      .send({ task: 't', reason: 'by hand', output: [1] })
      .expect(200);
    await request(http).post('/admin/sagas/s-1/compensate').set(auth).send({ reason: 'undo' }).expect(200);
    await request(http).post('/admin/sagas/s-1/cancel').set(auth).send({ reason: 'stop' }).expect(200);
    expect(admin.act.mock.calls).toEqual([
      ['s-1', { type: 'resume', by: 'bob', reason: 'fixed' }],
      ['s-1', { type: 'retry', task: 'reserve-stock', by: 'admin', reason: 'again' }],
      ['s-1', { type: 'skip', task: 't', output: [1], by: 'admin', reason: 'by hand' }],
      ['s-1', { type: 'compensate', by: 'admin', reason: 'undo' }],
      ['s-1', { type: 'cancel', by: 'admin', reason: 'stop' }],
    ]);
  });

  it('maps a refused action to 409 with saga, action and status', async () => {
    admin.act.mockRejectedValue(
      new SagaActionRefusedError('saga s-1 is completed', 's-1', 'resume', 'completed'),
    );
    const response = await request(http)
      .post('/admin/sagas/s-1/resume')
      .set(auth)
      .send({ reason: 'r' })
      .expect(409);
    expect(response.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'saga s-1 is completed',
      sagaId: 's-1',
      action: 'resume',
      status: 'completed',
    });
  });

  it('maps an unknown saga to 404, an unknown task and a bad cursor to 400, an unanswered action to 202', async () => {
    admin.status.mockRejectedValue(new SagaNotFoundError('no saga s-9', 's-9'));
    await request(http).get('/admin/sagas/s-9').set(auth).expect(404);

    admin.act.mockRejectedValue(
      new SagaInputError('bad', 'booking', [{ field: 'task', messages: ['no task x'] }]),
    );
    const input = await request(http)
      .post('/admin/sagas/s-1/retry')
      .set(auth)
      .send({ task: 'x', reason: 'r' })
      .expect(400);
    expect((input.body as { message: string[] }).message).toEqual(['no task x']);

    admin.list.mockRejectedValue(new RangeError('cursor is not one of this store'));
    await request(http).get('/admin/sagas?cursor=zz').set(auth).expect(400);

    admin.act.mockRejectedValue(
      new SagaWaitExceededError({ sagaId: 's-1', traceId: 't', flow: 'booking' }, 10, 'not answered'),
    );
    const pending = await request(http)
      .post('/admin/sagas/s-1/cancel')
      .set(auth)
      .send({ reason: 'r' })
      .expect(202);
    expect(pending.body).toEqual({ sagaId: 's-1', message: 'not answered' });
  });

  it('calls nothing for a refused request', async () => {
    await request(http).post('/admin/sagas/s-1/resume').send({ reason: 'r' }).expect(401);
    await request(http).post('/admin/sagas/s-1/resume').set(auth).send({ reason: '' }).expect(400);
    await request(http).get('/admin/sagas?limit=abc').set(auth).expect(400);
    expect(admin.act).not.toHaveBeenCalled();
    expect(admin.list).not.toHaveBeenCalled();
  });
});
