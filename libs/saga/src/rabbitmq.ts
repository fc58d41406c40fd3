/**
 * `@dta/saga/rabbitmq`: the RabbitMQ transport, for a `SagaModule` given an instance
 * (`transport: new RabbitMqTransport({ url, quorumQueues: true })`). `transport: 'rabbitmq'` loads it by itself.
 * It needs the optional peer dependencies `@golevelup/nestjs-rabbitmq` and `amqplib`.
 */
export * from './transport/rabbitmq/rabbitmq.transport';
export * from './transport/rabbitmq/rabbitmq-transport.options';
