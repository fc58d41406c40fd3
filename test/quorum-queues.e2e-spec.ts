import type { INestApplication } from '@nestjs/common';
import { connect, type ChannelModel } from 'amqplib';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { Booking } from '@dta/booking/booking.contract';
import { SagaTopology } from '@dta/saga';
import { AMQP_URL, INFRAS } from './support/e2e-infra';
import { startBookingApp } from './support/standalone-app';

jest.setTimeout(30_000);

/*
 * SAGA_QUORUM_QUEUES=true reaches the broker: the booking runs on quorum queues (replicated on a RabbitMQ
 * cluster; a single node here), declared so by the app itself.
 */
describe('SAGA_QUORUM_QUEUES=true on RabbitMQ', () => {
  const prefix = `dta-quorum-${randomBytes(4).toString('hex')}`;
  const rabbit = INFRAS.find((infra) => infra.transport === 'rabbitmq')!;
  const names = new SagaTopology(prefix);
  let app: INestApplication;
  let close: (() => Promise<void>) | undefined;
  let probe: ChannelModel;

  beforeAll(async () => {
    ({ app, close } = await startBookingApp(rabbit, prefix, { SAGA_QUORUM_QUEUES: 'true' }));
    probe = await connect(AMQP_URL);
  });

  afterAll(async () => {
    await probe?.close();
    await close?.();
  });

  /** Whether `queue` exists with these arguments: RabbitMQ refuses (406) a declaration that disagrees. */
  /** Whether `queue` exists with exactly this type and these other arguments (RabbitMQ refuses any other). */
  const declaredAs = async (
    queue: string,
    type: 'quorum' | 'classic',
    args: Record<string, unknown> = {},
  ): Promise<boolean> => {
    const channel = await probe.createChannel();
    channel.on('error', () => undefined);
    try {
      await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': type, ...args } });
      return true;
    } catch {
      return false;
    } finally {
      await channel.close().catch(() => undefined);
    }
  };

  it('completes a booking, every queue of the flow being a quorum queue', async () => {
    const res = await request(app.getHttpServer() as App)
      .post('/bookings')
      .send({ productId: `q-${prefix}`, quantity: 1 })
      .expect(201);
    expect(res.body).toMatchObject({ status: 'completed' });
    const queues = [
      names.startQueue(Booking.name),
      names.replyQueue(Booking.name),
      ...Object.values(Booking.task).map((task) => names.taskQueue(Booking.name, task.name)),
    ];
    for (const queue of queues) {
      expect({ queue, quorum: await declaredAs(queue, 'quorum') }).toEqual({ queue, quorum: true });
      expect({ queue, classic: await declaredAs(queue, 'classic') }).toEqual({ queue, classic: false });
    }
  });

  it("declares the app's own reply queue as a quorum queue that dead-letters at least once to the shared one", async () => {
    // The app is the flow's only orchestrator replica; its instance id is `<prefix>-gateway`.
    const replica = names.replicaReplyQueue(Booking.name, `${prefix}-gateway`);
    const args = {
      'x-expires': 600_000,
      'x-message-ttl': 5_000,
      'x-dead-letter-exchange': names.commandsExchange,
      'x-dead-letter-routing-key': names.replyQueue(Booking.name),
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    };
    // It exists before anything here declares it: the app did, at bootstrap.
    const channel = await probe.createChannel();
    await expect(channel.checkQueue(replica)).resolves.toMatchObject({ queue: replica });
    await channel.close();
    expect(await declaredAs(replica, 'quorum', args)).toBe(true);
    expect(await declaredAs(replica, 'classic', args)).toBe(false);
  });
});
