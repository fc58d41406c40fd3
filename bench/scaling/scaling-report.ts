import { totalCpu } from '../accounting';
import type { BenchConfig } from '../bench.config';
import { formatShape, tasksPerSaga, type SagaShape } from './saga-shape';
import { BASE_SHAPE, SCALING_ROWS, type ScalingDimension } from './scaling-rows';
import type { ScalingResult } from './scaling-run';

/** How far above its reference a row may be and still count as flat: 25 % (below it is fine). */
export const SCALING_TOLERANCE = 0.25;

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const flat = (ratio: number): boolean => ratio <= 1 + SCALING_TOLERANCE;

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** `100 B`, `10 KB`, `100 KB` (decimal kilobytes). */
function size(bytes: number): string {
  return bytes >= 1000 ? `${fixed(bytes / 1000, bytes % 1000 === 0 ? 0 : 1)} KB` : `${bytes} B`;
}

const shapeLabel = (s: SagaShape): string => `${s.steps} x ${s.tasksPerStep}, ${size(s.outputBytes)}`;

const wire = (r: ScalingResult): number => r.wirePerTask.rabbitmq + r.wirePerTask.redis;

/** The verdict of one row: both measures at most 25 % above their reference, or what grew. */
function verdict(cpu: number, bytes: number): string {
  if (!Number.isFinite(cpu) || !Number.isFinite(bytes)) return 'n/a';
  const off = [
    ...(flat(cpu) ? [] : [`CPU ${fixed(cpu, 2)}x`]),
    ...(flat(bytes) ? [] : [`bytes ${fixed(bytes, 2)}x`]),
  ];
  if (off.length > 0) return `**grows** (${off.join(', ')})`;
  return cpu < 1 - SCALING_TOLERANCE || bytes < 1 - SCALING_TOLERANCE ? 'flat (cheaper per task)' : 'flat';
}

/** CPUs' worth of time other programs took during the row's run: above a few tenths, its CPU is noisy. */
const others = (r: ScalingResult): string => fixed(r.cpuPerTask.otherCpus ?? Number.NaN, 2);

/** The columns of {@link loadCells}. */
const LOAD_COLUMNS = ['steps x tasks, output', 'tasks per saga', 'sagas (C)', 'sagas/s'];

/** The cells every row starts with: shape, tasks per saga, sagas (C), sagas/s. */
function loadCells(r: ScalingResult): string[] {
  return [
    shapeLabel(r.shape),
    String(tasksPerSaga(r.shape)),
    `${r.load.n} (${r.load.c})`,
    fixed(r.load.sagasPerSec, r.load.sagasPerSec < 10 ? 1 : 0),
  ];
}

/** Steps or tasks per step varied: each row's cost per task against the base row's. */
function sizeTable(rows: ScalingResult[], base: ScalingResult): string {
  return table(
    [
      ...LOAD_COLUMNS,
      'CPU ms per task',
      '/ base',
      'bytes per task: RabbitMQ + Redis',
      '/ base',
      'Redis KB per saga',
      '/ base',
      `flat (at most +${SCALING_TOLERANCE * 100} %)`,
      'other programs (CPUs)',
    ],
    rows.map((r) => {
      const cpu = totalCpu(r.cpuPerTask) / totalCpu(base.cpuPerTask);
      const bytes = wire(r) / wire(base);
      return [
        ...loadCells(r),
        fixed(totalCpu(r.cpuPerTask), 2),
        fixed(cpu, 2),
        `${fixed(wire(r), 0)} = ${fixed(r.wirePerTask.rabbitmq, 0)} + ${fixed(r.wirePerTask.redis, 0)}`,
        fixed(bytes, 2),
        fixed(r.storedPerSaga.bytes / 1024),
        fixed(r.storedPerSaga.bytes / base.storedPerSaga.bytes, 2),
        r === base ? 'base' : verdict(cpu, bytes),
        others(r),
      ];
    }),
  );
}

/**
 * Output size varied: what each extra output byte costs over the base row (CPU, bytes on the wire, bytes
 * stored); the verdict compares CPU and wire bytes of each row's with the first larger row's.
 */
function outputTable(rows: ScalingResult[], base: ScalingResult): string {
  const extra = (r: ScalingResult): number => r.shape.outputBytes - base.shape.outputBytes;
  // Per extra output byte of each task: CPU in ns, wire bytes, and stored bytes (per saga over its tasks).
  const cpuPer = (r: ScalingResult): number =>
    ((totalCpu(r.cpuPerTask) - totalCpu(base.cpuPerTask)) * 1e6) / extra(r);
  const wirePer = (r: ScalingResult): number => (wire(r) - wire(base)) / extra(r);
  const storedPer = (r: ScalingResult): number =>
    (r.storedPerSaga.bytes - base.storedPerSaga.bytes) / (tasksPerSaga(r.shape) * extra(r));
  const reference = rows.find((r) => r !== base);
  return table(
    [
      ...LOAD_COLUMNS,
      'CPU ms per task',
      'CPU ns per task per extra output byte',
      'bytes per task: RabbitMQ + Redis',
      'wire bytes per extra output byte',
      'Redis KB per saga',
      'stored bytes per extra output byte',
      `per extra output byte flat (at most +${SCALING_TOLERANCE * 100} % over the ${reference ? size(reference.shape.outputBytes) : ''} row)`,
      'other programs (CPUs)',
    ],
    rows.map((r) => {
      const over = r !== base;
      return [
        ...loadCells(r),
        fixed(totalCpu(r.cpuPerTask), 2),
        over ? fixed(cpuPer(r), 1) : '',
        `${fixed(wire(r), 0)} = ${fixed(r.wirePerTask.rabbitmq, 0)} + ${fixed(r.wirePerTask.redis, 0)}`,
        over ? fixed(wirePer(r), 2) : '',
        fixed(r.storedPerSaga.bytes / 1024),
        over ? fixed(storedPer(r), 2) : '',
        !over
          ? 'base'
          : r === reference || !reference
            ? 'reference'
            : verdict(cpuPer(r) / cpuPer(reference), wirePer(r) / wirePer(reference)),
        others(r),
      ];
    }),
  );
}

const HEADINGS: Record<ScalingDimension, string> = {
  steps: 'Steps (2 tasks each, outputs of 100 B)',
  tasks: 'Parallel tasks per step (3 steps, outputs of 100 B)',
  output: 'Task output (3 steps x 2 tasks)',
};

/** The "Scaling" section of BENCHMARKS.md: three tables, one per dimension, each headed by the base row. */
export function scalingSection(results: readonly ScalingResult[] | undefined, config: BenchConfig): string {
  if (!results || results.length === 0) {
    return 'Not run this time (`BENCH_SCALING=0`, or `dta` not among `BENCH_SYSTEMS`).';
  }
  const find = (shape: SagaShape): ScalingResult | undefined =>
    results.find((r) => formatShape(r.shape) === formatShape(shape));
  const base = find(BASE_SHAPE);
  if (!base) return 'The base row did not run.';
  const group = (dimension: ScalingDimension): string => {
    const rows = SCALING_ROWS[dimension].map(find).filter((r): r is ScalingResult => r !== undefined);
    return `### ${HEADINGS[dimension]}\n\n${dimension === 'output' ? outputTable(rows, base) : sizeTable(rows, base)}`;
  };
  return [
    `DTA (RabbitMQ) alone on a generated flow, one dimension varied at a time from ${shapeLabel(BASE_SHAPE)} ` +
      `(steps x parallel tasks per step, task output). Each row: fresh processes, ${config.scalingTasks} tasks ` +
      `(at most ${config.scalingMb} MB of outputs), about ${config.scalingInFlight} tasks in flight; CPU and ` +
      'bytes per task over the run and the pause after it' +
      (config.scalingRuns > 1 ? `, from the cheapest of ${config.scalingRuns} measured runs.` : '.') +
      (results.some((r) => (r.cpuPerTask.otherCpus ?? 0) > 0.2)
        ? ' **Other programs loaded the machine** during some rows (last column): their CPU per task, and ' +
          "the shared servers' share of it, read high; bytes and memory are exact."
        : ''),
    group('steps'),
    group('tasks'),
    group('output'),
  ].join('\n\n');
}
