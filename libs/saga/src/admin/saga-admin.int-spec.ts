import { randomUUID } from 'node:crypto';
import { describeSagaAdmin } from './saga-admin.scenarios';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeSagaAdmin('RabbitMQ and Redis', () => ({
  transport: 'rabbitmq',
  amqpUrl: AMQP_URL,
  store: 'redis',
  redisUrl: REDIS_URL,
  prefix: `dta-admin-${randomUUID()}`,
}));
