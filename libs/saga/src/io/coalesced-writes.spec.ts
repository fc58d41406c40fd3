import { createServer, type Server, type Socket, connect } from 'node:net';
import { coalesceWrites } from './coalesced-writes';

describe('coalesceWrites', () => {
  let server: Server;
  let received: Buffer[];
  let socket: Socket;

  beforeEach(async () => {
    received = [];
    server = createServer((peer) => peer.on('data', (chunk: Buffer) => received.push(chunk)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
  });

  afterEach(async () => {
    socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('holds the writes of one tick and lets them go, in order, when the tick ends', async () => {
    coalesceWrites(socket);
    coalesceWrites(socket); // twice is once
    const writev = jest.spyOn(socket as unknown as { _writev: () => void }, '_writev');
    socket.write('a');
    socket.write('b');
    socket.write('c');
    expect(socket.writableCorked).toBe(1);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(socket.writableCorked).toBe(0);
    expect(writev).toHaveBeenCalledTimes(1);
    socket.write('d');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Buffer.concat(received).toString()).toBe('abcd');
  });

  it('leaves a missing socket, or a stream that cannot cork, alone', () => {
    expect(() => coalesceWrites(undefined)).not.toThrow();
    const stream = { write: () => true } as unknown as Socket;
    const write = stream.write;
    coalesceWrites(stream);
    expect(stream.write).toBe(write);
  });
});
