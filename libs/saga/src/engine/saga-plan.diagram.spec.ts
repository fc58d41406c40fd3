import { sagaPlanDiagram } from './saga-plan.diagram';
import { planOf, plannedTask } from './testing/plan.fixture';

describe('sagaPlanDiagram', () => {
  it('draws each step as a subgraph of its tasks, from start to end, with what differs from the defaults', () => {
    const plan = planOf(
      [['quote-acme', 'quote-globex', 'quote-initech'], [plannedTask('ship-parcel', { compensable: false })]],
      'freight',
    );
    Object.assign(plan.steps[0], { aggregator: { quorum: 2 }, pivot: true });

    expect(sagaPlanDiagram(plan)).toBe(
      [
        'flowchart LR',
        '  start(["freight"])',
        '  subgraph s1["step-1 (quorum 2 of 3, pivot)"]',
        '    t1_1["quote-acme"]',
        '    t1_2["quote-globex"]',
        '    t1_3["quote-initech"]',
        '  end',
        '  subgraph s2["step-2 (stalls on failure)"]',
        '    t2_1["ship-parcel (no undo)"]',
        '  end',
        '  done(["completed"])',
        '  start --> s1',
        '  s1 --> s2',
        '  s2 --> done',
        '',
      ].join('\n'),
    );
  });

  it('names the other aggregators and an explicit stall, and marks nothing for the defaults', () => {
    const plan = planOf([['a'], ['b', 'c'], ['d', 'e'], ['f']]);
    Object.assign(plan.steps[1], { aggregator: 'failFast' });
    Object.assign(plan.steps[2], { aggregator: 'bestEffort', onFailure: 'stall' });
    Object.assign(plan.steps[3], { aggregator: 'all', onFailure: 'compensate' });

    const titles = sagaPlanDiagram(plan)
      .split('\n')
      .filter((line) => line.startsWith('  subgraph'));
    expect(titles).toEqual([
      '  subgraph s1["step-1"]',
      '  subgraph s2["step-2 (failFast)"]',
      '  subgraph s3["step-3 (best effort, stalls on failure)"]',
      '  subgraph s4["step-4"]',
    ]);
  });

  it('keeps ids positional and escapes what Mermaid would read in a label', () => {
    const plan = planOf([['say-"hi"']], 'a "quoted" <flow> #1 & co');
    plan.steps[0].name = 'end';

    expect(sagaPlanDiagram(plan).split('\n').slice(1, 4)).toEqual([
      '  start(["a #quot;quoted#quot; #lt;flow#gt; #35;1 #amp; co"])',
      '  subgraph s1["end"]',
      '    t1_1["say-#quot;hi#quot;"]',
    ]);
  });
});
