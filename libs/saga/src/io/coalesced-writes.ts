import type { Socket } from 'node:net';

const coalesced = new WeakSet<Socket>();

/**
 * Makes the writes one tick gives a socket leave as one. amqplib writes every channel's frames separately (a
 * publish, an ack, a confirm channel's next message), and ioredis without auto-pipelining every command: one
 * system call each, which was a fifth of each process's busy time at 200 sagas in flight. The socket is corked
 * at the tick's first write and uncorked when the tick ends, as Node's HTTP server does per response: what is
 * written within the tick goes out in one `writev`, in the same order, no later than it would have. A socket
 * is wrapped once; one that cannot cork (or none) is left alone.
 */
export function coalesceWrites(socket: Socket | undefined): void {
  if (!socket || coalesced.has(socket) || typeof socket.cork !== 'function') return;
  coalesced.add(socket);
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = (...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  };
}
