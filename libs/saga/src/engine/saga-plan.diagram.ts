import type { PlannedStep, PlannedTask, SagaPlan, StepAggregator } from './saga-plan';

/** Characters that Mermaid reads inside a quoted label, as its entity codes (`#35;` is `#`). */
const MERMAID_ENTITIES: Readonly<Record<string, string>> = {
  '#': '#35;',
  '"': '#quot;',
  '&': '#amp;',
  '<': '#lt;',
  '>': '#gt;',
};

/**
 * A flow's plan as Mermaid `flowchart LR` source: a start node named after the flow, one subgraph per step in
 * order (its name; its aggregator unless `'all'`; `pivot`; `stalls on failure` when a failure stops the saga
 * for an operator, by `onFailure: 'stall'` or by coming after the pivot, as the engine decides), the step's
 * tasks inside it by wire name (`no undo` when not compensable), and an end node. Node ids are positional
 * (`s2`, `t2_1`) whatever the names; labels are escaped. The same plan always gives the same text.
 *
 * @example
 * sagaPlanDiagram(registry.plan('booking')) // 'flowchart LR\n  start(["booking"])\n  subgraph s1["order"]...'
 */
export function sagaPlanDiagram(plan: SagaPlan): string {
  const pivot = plan.steps.findIndex((step) => step.pivot);
  const lines = ['flowchart LR', `  start(${stadium(plan.flow)})`];
  plan.steps.forEach((step, i) => {
    lines.push(`  subgraph s${i + 1}[${quoted(stepTitle(step, pivot >= 0 && i > pivot))}]`);
    step.tasks.forEach((task, j) => lines.push(`    t${i + 1}_${j + 1}[${quoted(taskLabel(task))}]`));
    lines.push('  end');
  });
  lines.push(`  done(${stadium('completed')})`);
  const path = ['start', ...plan.steps.map((_, i) => `s${i + 1}`), 'done'];
  for (let i = 1; i < path.length; i++) lines.push(`  ${path[i - 1]} --> ${path[i]}`);
  return `${lines.join('\n')}\n`;
}

/** `payment-and-stock (quorum 2 of 3, pivot)`: the step's name and what differs from the default. */
function stepTitle(step: PlannedStep, pastPivot: boolean): string {
  const marks = [
    aggregatorLabel(step.aggregator ?? 'all', step.tasks.length),
    step.pivot ? 'pivot' : undefined,
    step.onFailure === 'stall' || pastPivot ? 'stalls on failure' : undefined,
  ].filter((mark) => mark !== undefined);
  return marks.length > 0 ? `${step.name} (${marks.join(', ')})` : step.name;
}

function aggregatorLabel(aggregator: StepAggregator, tasks: number): string | undefined {
  if (aggregator === 'all') return undefined;
  if (aggregator === 'bestEffort') return 'best effort';
  if (aggregator === 'failFast') return 'failFast';
  return `quorum ${aggregator.quorum} of ${tasks}`;
}

function taskLabel(task: PlannedTask): string {
  return task.policy.compensable ? task.name : `${task.name} (no undo)`;
}

function stadium(text: string): string {
  return `[${quoted(text)}]`;
}

/** A Mermaid quoted label: one line, with `#`, quotes and HTML characters as entity codes. */
function quoted(text: string): string {
  const escaped = text.replace(/[#"&<>]/g, (c) => MERMAID_ENTITIES[c]).replace(/\s+/g, ' ');
  return `"${escaped}"`;
}
