import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/** Samples this process's CPU (the `--cpu-prof` profiler, through the inspector) between `start` and `stop`. */
export class CpuProfiler {
  private session?: Session;

  async start(): Promise<void> {
    const session = new Session();
    session.connect();
    await this.post(session, 'Profiler.enable');
    await this.post(session, 'Profiler.start');
    this.session = session;
  }

  /** Writes the profile as a `.cpuprofile` (Chrome DevTools format) to `file`. */
  async stop(file: string): Promise<void> {
    const session = this.session;
    if (!session) throw new Error('the profiler was not started');
    const { profile } = (await this.post(session, 'Profiler.stop')) as { profile: object };
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    this.session = undefined;
  }

  private post(session: Session, method: string): Promise<unknown> {
    return new Promise((resolve, reject) =>
      session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
  }
}
