import {
  credentials,
  type Client,
  type ClientDuplexStream,
  type GrpcObject,
  loadPackageDefinition,
  Metadata,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { dirname, join } from 'node:path';

/** How the clients load protos: field names as written, unset fields as their defaults ("" and 0). */
const LOADER_OPTIONS = { keepCase: true, defaults: true, longs: String, enums: String };

/** The answer of one unary call: the response or the error, and the response (initial) metadata. */
export interface UnaryAnswer<T> {
  response?: T;
  error?: ServiceError;
  metadata: Metadata;
}

function serviceConstructor(protoPath: string, service: string): ServiceClientConstructor {
  const root = loadPackageDefinition(loadSync(protoPath, LOADER_OPTIONS));
  let node: unknown = root;
  for (const name of service.split('.')) node = (node as GrpcObject)[name];
  if (typeof node !== 'function') throw new Error(`no service ${service} in ${protoPath}`);
  return node as ServiceClientConstructor;
}

/** A plain grpc-js client of one service of a proto file, as any gRPC client in the wild would use. */
export class GrpcTestClient {
  private readonly client: Client;

  constructor(
    private readonly service: ServiceClientConstructor,
    address: string,
  ) {
    this.client = new service(address, credentials.createInsecure());
  }

  static of(protoPath: string, service: string, address: string): GrpcTestClient {
    return new GrpcTestClient(serviceConstructor(protoPath, service), address);
  }

  /** Calls a unary method with `metadata` (e.g. `{ 'x-request-id': 'abc' }`); never rejects on a gRPC error. */
  async unary<T>(
    method: string,
    request: object,
    metadata: Record<string, string> = {},
  ): Promise<UnaryAnswer<T>> {
    const definition = this.service.service[method];
    if (!definition) throw new Error(`no method ${method} in the service`);
    const sent = new Metadata();
    for (const [key, value] of Object.entries(metadata)) sent.set(key, value);
    return new Promise((resolve) => {
      let received = new Metadata();
      const call = this.client.makeUnaryRequest<object, T>(
        definition.path,
        definition.requestSerialize,
        definition.responseDeserialize,
        request,
        sent,
        (error, response) => resolve({ response, error: error ?? undefined, metadata: received }),
      );
      call.on('metadata', (m: Metadata) => (received = m));
    });
  }

  /** Opens a bidirectional stream (for server reflection). */
  duplex<Req, Res>(method: string): ClientDuplexStream<Req, Res> {
    const definition = this.service.service[method];
    if (!definition) throw new Error(`no method ${method} in the service`);
    return this.client.makeBidiStreamRequest<Req, Res>(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize,
    );
  }

  close(): void {
    this.client.close();
  }
}

/** The v1 server reflection proto shipped in @grpc/reflection. */
export const REFLECTION_V1_PROTO = join(
  dirname(require.resolve('@grpc/reflection/package.json')),
  'build/proto/grpc/reflection/v1/reflection.proto',
);

/** One request/response exchange on `grpc.reflection.v1.ServerReflection/ServerReflectionInfo`. */
export async function reflect<T>(address: string, request: object): Promise<T> {
  const client = GrpcTestClient.of(REFLECTION_V1_PROTO, 'grpc.reflection.v1.ServerReflection', address);
  try {
    const stream = client.duplex<object, T>('ServerReflectionInfo');
    return await new Promise<T>((resolve, reject) => {
      stream.once('data', (response: T) => {
        stream.end();
        resolve(response);
      });
      stream.once('error', reject);
      stream.write(request);
    });
  } finally {
    client.close();
  }
}
