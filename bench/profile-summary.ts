import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** The parts of a `.cpuprofile` (Chrome DevTools format) this summary reads. */
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  selfMs: number;
  /** Share of the busy time (everything but idle). */
  share: number;
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  idleMs: number;
  functions: SelfTime[];
  areas: SelfTime[];
}

/** `<package>` (from node_modules), `libs/saga/src/<file>`, `node:<module>`, or the pseudo-frame's name. */
function areaOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName || '(anonymous)';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  // The children run from the transpiled copy that build.ts writes: name the TypeScript source instead.
  const built = /\/build\/(saga|bench)\/(.+)\.js$/.exec(url);
  if (built) return `${built[1] === 'saga' ? 'libs/saga/src' : 'bench'}/${built[2]}.ts`;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url;
}

function frameName(frame: ProfileNode['callFrame']): string {
  const line = frame.lineNumber + 1;
  // Lines of transpiled files are JavaScript lines, close to but not the TypeScript ones.
  const where = !frame.url
    ? ''
    : /\/build\//.test(frame.url)
      ? ` ${areaOf(frame)} (js:${line})`
      : ` ${areaOf(frame)}:${line}`;
  return `${frame.functionName || '(anonymous)'}${where}`;
}

function top(times: Map<string, number>, busyMs: number, limit: number): SelfTime[] {
  return [...times]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, selfMs]) => ({ name, selfMs, share: selfMs / busyMs }));
}

/** Self time by function and by package or source file, from the samples of a `.cpuprofile`. */
export function summarizeProfile(file: string, limit = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const frame = frames.get(id);
    if (!frame) return;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    busyMs += ms;
    const name = frameName(frame);
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    const area = areaOf(frame);
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
  });
  return {
    file,
    busyMs,
    idleMs,
    functions: top(byFunction, busyMs, limit),
    areas: top(byArea, busyMs, limit),
  };
}
