import type { LoggerService } from '@nestjs/common';

/** Keeps what a transport logs, so that tests stay quiet and can look at it. */
export class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(`log: ${String(message)}`);
  }
  warn(message: unknown): void {
    this.lines.push(`warn: ${String(message)}`);
  }
  error(message: unknown): void {
    this.lines.push(`error: ${String(message)}`);
  }
}
