import { ConfigService } from '@nestjs/config';
import { InvalidSagaOptionError } from './errors/saga-definition.error';
import { sagaOptionsFromConfig } from './saga.config';

const configOf = (env: Record<string, string>) => new ConfigService(env);

describe('sagaOptionsFromConfig: bus limits', () => {
  it('reads the delivery limit, the message bounds and the queued-start bound; 0 means no limit', () => {
    const options = sagaOptionsFromConfig(
      configOf({
        SAGA_MAX_DELIVERIES: '0',
        SAGA_MAX_MESSAGE_BYTES: '65536',
        SAGA_MAX_MESSAGE_DEPTH: '32',
        SAGA_MAX_QUEUED_STARTS: '0',
      }),
    );
    expect(options).toMatchObject({
      maxDeliveries: 0,
      maxMessageBytes: 65536,
      maxMessageDepth: 32,
      maxQueuedStarts: 0,
    });
  });

  it('leaves them to the module defaults when unset', () => {
    const options = sagaOptionsFromConfig(configOf({}));
    for (const key of ['maxDeliveries', 'maxMessageBytes', 'maxMessageDepth', 'maxQueuedStarts']) {
      expect(options).not.toHaveProperty(key);
    }
  });

  it.each([
    ['SAGA_MAX_DELIVERIES', '-1'],
    ['SAGA_MAX_QUEUED_STARTS', 'lots'],
    ['SAGA_MAX_MESSAGE_BYTES', '0'],
    ['SAGA_MAX_MESSAGE_DEPTH', '1.5'],
  ])('fails the bootstrap on %s=%s, naming the variable', (name, value) => {
    expect(() => sagaOptionsFromConfig(configOf({ [name]: value }))).toThrow(InvalidSagaOptionError);
    expect(() => sagaOptionsFromConfig(configOf({ [name]: value }))).toThrow(name);
  });
});

describe('sagaOptionsFromConfig: brokers', () => {
  it('reads SAGA_TRANSPORT=nats with NATS_URL, and SAGA_QUORUM_QUEUES', () => {
    const options = sagaOptionsFromConfig(
      configOf({ SAGA_TRANSPORT: 'nats', NATS_URL: 'nats://n:4222', SAGA_QUORUM_QUEUES: 'true' }),
    );
    expect(options).toMatchObject({ transport: 'nats', natsUrl: 'nats://n:4222', quorumQueues: true });
    expect(sagaOptionsFromConfig(configOf({})).quorumQueues).toBe(false);
  });

  it('reads SAGA_STORE=redis-cluster with REDIS_CLUSTER_NODES, comma-separated, blanks dropped', () => {
    const options = sagaOptionsFromConfig(
      configOf({ SAGA_STORE: 'redis-cluster', REDIS_CLUSTER_NODES: ' r1:7001, r2:7002,,r3:7003 ' }),
    );
    expect(options).toMatchObject({
      store: 'redis-cluster',
      redisClusterNodes: ['r1:7001', 'r2:7002', 'r3:7003'],
    });
    expect(sagaOptionsFromConfig(configOf({ REDIS_CLUSTER_NODES: ' , ' }))).not.toHaveProperty(
      'redisClusterNodes',
    );
  });

  it.each([
    ['SAGA_TRANSPORT', 'kafka', 'memory | rabbitmq | nats'],
    ['SAGA_STORE', 'etcd', 'memory | redis | redis-cluster'],
    ['SAGA_QUORUM_QUEUES', 'yes', 'true | false'],
  ])('fails the bootstrap on %s=%s, naming the variable and what it takes', (name, value, allowed) => {
    expect(() => sagaOptionsFromConfig(configOf({ [name]: value }))).toThrow(name);
    expect(() => sagaOptionsFromConfig(configOf({ [name]: value }))).toThrow(allowed);
  });
});

describe('sagaOptionsFromConfig: logs', () => {
  it('reads SAGA_LOG_FORMAT (text by default) and refuses any other value, naming the variable', () => {
    expect(sagaOptionsFromConfig(configOf({ SAGA_LOG_FORMAT: 'json' })).logFormat).toBe('json');
    expect(sagaOptionsFromConfig(configOf({})).logFormat).toBe('text');
    expect(() => sagaOptionsFromConfig(configOf({ SAGA_LOG_FORMAT: 'xml' }))).toThrow(/SAGA_LOG_FORMAT/);
  });
});
