export { NatsTransport } from './nats.transport';
export {
  resolveNatsTransportSettings,
  type NatsTransportOptions,
  type ResolvedNatsTransportSettings,
} from './nats-transport.options';
