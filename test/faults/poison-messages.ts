import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type GetMessage } from 'amqplib';

/** Names one poison message, so it can be found in the dead-letter queue among others. */
export const POISON_HEADER = 'x-dta-fault-poison';

const HUGE_BYTES = 4 * 1024 * 1024;
const NESTING = 100_000;

/** Bodies no consumer can take: each must be dead-lettered once, and nothing may crash or spin on it. */
export const POISON_BODIES: { kind: string; body: () => Buffer }[] = [
  { kind: 'invalid JSON', body: () => Buffer.from('{"sagaId": "abc", "input": {') },
  { kind: 'not UTF-8 text', body: () => randomBytes(256) },
  { kind: 'wrong fields', body: () => Buffer.from(JSON.stringify({ hello: 'world', version: 99 })) },
  { kind: 'null', body: () => Buffer.from('null') },
  { kind: 'huge', body: () => Buffer.from(JSON.stringify({ padding: 'x'.repeat(HUGE_BYTES) })) },
  {
    kind: 'deeply nested',
    body: () => Buffer.from(`${'{"a":'.repeat(NESTING)}1${'}'.repeat(NESTING)}`),
  },
];

/** Publishes every poison body straight onto every queue (default exchange); returns their ids. */
export async function publishPoison(amqpUrl: string, queues: string[], run: string): Promise<string[]> {
  const connection = await connect(amqpUrl);
  const ids: string[] = [];
  try {
    const channel = await connection.createConfirmChannel();
    for (const queue of queues) {
      for (const { kind, body } of POISON_BODIES) {
        const id = `${run} ${kind} -> ${queue}`;
        channel.sendToQueue(queue, body(), { persistent: true, headers: { [POISON_HEADER]: id } });
        ids.push(id);
      }
    }
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
  return ids;
}

/**
 * Waits until each id is in the dead-letter queue (or `timeoutMs` passed), then `quietMs` more for copies,
 * and returns how many times each came: exactly once is right. Takes our messages out of the queue; others
 * are put back.
 */
export async function collectDeadLettered(
  amqpUrl: string,
  deadLetterQueue: string,
  ids: string[],
  { timeoutMs, quietMs }: { timeoutMs: number; quietMs: number },
): Promise<Map<string, number>> {
  const counts = new Map(ids.map((id) => [id, 0]));
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    const take = async () => {
      let message: GetMessage | false;
      while ((message = await channel.get(deadLetterQueue, { noAck: false }))) {
        const id = message.properties.headers?.[POISON_HEADER] as string | undefined;
        if (id !== undefined && counts.has(id)) {
          counts.set(id, (counts.get(id) ?? 0) + 1);
          channel.ack(message);
        }
      }
      channel.nackAll(true);
    };
    const deadline = Date.now() + timeoutMs;
    await take();
    while ([...counts.values()].some((n) => n === 0) && Date.now() < deadline) {
      await sleep(500);
      await take();
    }
    await sleep(quietMs);
    await take();
  } finally {
    await connection.close();
  }
  return counts;
}
