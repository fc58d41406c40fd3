import { offFigures, type StreamFigures } from './booking-audit';

/** One row of the fault table: a scenario on one stream (one product or many). */
export interface FaultRow {
  scenario: string;
  products: 'one' | 'many';
  figures: StreamFigures;
  /** Processes that exited on their own during the scenario. */
  crashed: number;
  /** What the scenario itself checked or measured (outage length, copies, dead letters). */
  notes: string;
  /** Scenario-specific checks that failed, on top of {@link offFigures}. */
  extraOff: string[];
}

const COLUMNS = [
  'scenario',
  'products',
  'started',
  'faulted',
  'completed',
  'compensated',
  'stalled',
  'stuck',
  'lost starts',
  'effects off',
  'healthy rolled back',
  'not accepted',
  'events off',
  'crashed',
  'drain s',
  'verdict',
  'notes',
];

/** Everything wrong with a row; empty when it passes. */
export function rowOff(row: FaultRow): string[] {
  return [
    ...offFigures(row.figures),
    ...(row.crashed > 0 ? [`crashed=${row.crashed}`] : []),
    ...row.extraOff,
  ];
}

/** The rows as a Markdown table, as docs/RELIABILITY.md shows it. */
export function renderTable(rows: FaultRow[]): string {
  const lines = [`| ${COLUMNS.join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const f = row.figures;
    const off = rowOff(row);
    const cells = [
      row.scenario,
      row.products,
      f.started,
      f.faulted,
      f.completed,
      f.compensated,
      f.stalled,
      f.stuck,
      f.lostStarts,
      f.effectsOff,
      f.healthyRolledBack,
      f.notAccepted,
      f.eventsOff,
      row.crashed,
      f.drainSeconds.toFixed(1),
      off.length === 0 ? 'pass' : `FAIL (${off.join(', ')})`,
      row.notes,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
