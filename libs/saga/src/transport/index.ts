export * from './saga-transport.interface';
export * from './saga-messages';
export * from './saga-topology';
export * from './transport-closed.error';
export * from '../errors/transient-fault.error';
export * from './memory/memory.transport';
export * from './rabbitmq/rabbitmq.transport';
export * from './rabbitmq/rabbitmq-transport.options';
