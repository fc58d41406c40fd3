/*
 * The worker process of test/tracing.e2e-spec.ts: hosts the tasks of the traced flow on RabbitMQ + Redis with
 * an OpenTelemetry SDK of its own (an in-memory exporter), registered before Nest starts, as an application's
 * main.ts would. Prints READY_LINE once consuming; on "stop" (stdin) or SIGTERM it closes and prints its
 * finished spans as JSON on one line, then exits.
 */
import 'reflect-metadata';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createInterface } from 'node:readline';
import { SagaModule } from '@dta/saga';
import { ParcelTasks } from './tracing.flow';
import { READY_LINE, SPANS_LINE, spanRecord } from './span-record';

const exporter = new InMemorySpanExporter();
new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();

@Module({
  imports: [
    SagaModule.forRoot({
      transport: 'rabbitmq',
      store: 'redis',
      amqpUrl: process.env.AMQP_URL,
      redisUrl: process.env.REDIS_URL,
      prefix: process.env.SAGA_PREFIX,
      instanceId: process.env.SAGA_INSTANCE_ID,
      orchestrate: false,
    }),
  ],
  providers: [ParcelTasks],
})
class WorkerModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error', 'warn'] });
  await app.init();
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await app.close();
      process.stdout.write(`${SPANS_LINE}${JSON.stringify(exporter.getFinishedSpans().map(spanRecord))}\n`);
      process.exit(0);
    })());
  process.on('SIGTERM', () => void stop());
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'stop') void stop();
  });
  process.stdout.write(`${READY_LINE}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`tracing worker failed: ${String(error)}\n`);
  process.exit(1);
});
