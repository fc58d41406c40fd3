import {
  type Client,
  credentials,
  Metadata,
  type MethodDefinition,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { RelayDefinitionError } from '../errors/relay-definition.error';
import type { RelayAnswer, RelayCall, RelayChannel } from '../relay-call.interface';
import type { RelayHeaders } from '../relay-headers';
import { RELAY_MESSAGES } from '../relay.messages';
import { grpcFailureKind } from './grpc-failure-kinds';
import type { GrpcTaskOptions } from './grpc-task.options';

type ChannelOptionsOf = Pick<
  GrpcTaskOptions<unknown, unknown>,
  'service' | 'address' | 'credentials' | 'channelOptions' | 'failures'
>;

/** One grpc-js client of the served service, shared by the task's call and its compensation's. */
export class GrpcRelayChannel implements RelayChannel {
  private client?: Client;

  constructor(
    private readonly relay: string,
    private readonly options: ChannelOptionsOf,
  ) {}

  open(): void {
    if (this.client) return;
    const { address, service } = this.options;
    const target = typeof address === 'function' ? address() : address;
    if (typeof target !== 'string' || target.length === 0)
      throw new RelayDefinitionError(RELAY_MESSAGES.BAD_ADDRESS(this.relay, target));
    this.client = new service(
      target,
      this.options.credentials ?? credentials.createInsecure(),
      this.options.channelOptions,
    );
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }

  /** A call of `method`; throws at once if the service has no such method. */
  method(method: string): RelayCall {
    const methods = Object.entries(this.options.service.service);
    const definition = methods.find(([name]) => name === method)?.[1];
    if (!definition || definition.requestStream || definition.responseStream) {
      const unary = methods.filter(([, d]) => !d.requestStream && !d.responseStream).map(([name]) => name);
      throw new RelayDefinitionError(
        RELAY_MESSAGES.UNKNOWN_METHOD(this.relay, this.serviceName(), method, unary),
      );
    }
    // `/package.Service/Method`: the full name, which grpc-js's `serviceName` leaves out.
    const describe = definition.path.replace(/^\//, '');
    return {
      describe,
      call: (request, headers, deadlineAt, signal) =>
        this.unary(definition, describe, request, headers, deadlineAt, signal),
    };
  }

  private serviceName(): string {
    const [first] = Object.values(this.options.service.service);
    return first ? first.path.split('/')[1] : this.options.service.serviceName;
  }

  private unary(
    definition: MethodDefinition<unknown, unknown>,
    describe: string,
    request: unknown,
    headers: RelayHeaders,
    deadlineAt: number,
    signal: AbortSignal,
  ): Promise<RelayAnswer> {
    const client = this.client;
    if (!client) throw new Error(`${this.relay}: called before bootstrap or after shutdown`);
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(headers) as [string, string][]) metadata.set(key, value);
    return new Promise((resolve) => {
      const call = client.makeUnaryRequest(
        definition.path,
        definition.requestSerialize,
        definition.responseDeserialize,
        request,
        metadata,
        { deadline: new Date(deadlineAt) },
        (error: ServiceError | null, response?: unknown) => {
          signal.removeEventListener('abort', cancel);
          resolve(error ? this.failure(describe, error) : { kind: 'ok', response });
        },
      );
      const cancel = (): void => call.cancel();
      signal.addEventListener('abort', cancel, { once: true });
    });
  }

  private failure(describe: string, error: ServiceError): RelayAnswer {
    const name = status[error.code] ?? String(error.code);
    return {
      kind: grpcFailureKind(error.code, this.options.failures),
      message: `${describe} answered ${name}: ${error.details}`,
      details: { grpcStatus: name, grpcCode: error.code, grpcDetails: error.details },
    };
  }
}
