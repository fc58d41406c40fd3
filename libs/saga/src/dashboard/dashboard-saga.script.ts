/**
 * The saga view of the dashboard's script: its flow, stall, history, timeline and actions (see
 * `dashboard.script.ts`).
 */
export const DASHBOARD_SAGA_SCRIPT = `
  // ---- Detail view ----

  function clearDetail() {
    byTestId('saga-header').replaceChildren(el('p', { className: 'muted', text: 'Loading...' }));
    byTestId('flow').replaceChildren();
    byTestId('timeline').tBodies[0].replaceChildren();
    byTestId('history').tBodies[0].replaceChildren();
    say(byTestId('action-message'), '');
    say(byTestId('detail-error'), '');
  }

  async function refreshDetail(sagaId) {
    try {
      const view = (await api('GET', '/admin/sagas/' + encodeURIComponent(sagaId))).body;
      setOff(false);
      say(byTestId('detail-error'), '');
      renderDetail(view);
    } catch (error) {
      if (error.status === 401) throw error;
      if (error.status === 404 && !(await operatorApiIsOn())) return setOff(true);
      say(byTestId('detail-error'), error.status === 404 ? 'No saga ' + sagaId + ' here: ' + error.message
        : 'The saga could not be read: ' + error.message, 'error');
    }
  }

  function renderDetail(view) {
    state.saga = view;
    const spans = timelineSpans(view.timeline || []);
    renderHeader(view);
    renderFlow(view, spans);
    renderActions(view);
    renderHistory(view.history || []);
    renderTimeline(view.timeline || []);
  }

  function renderHeader(view) {
    const parts = [
      el('div', { className: 'detail-head' }, [
        el('h2', { className: 'mono', testid: 'saga-id', text: view.id }),
        el('span', { testid: 'saga-status', 'data-status': view.status }, [badge(view.status)]),
      ]),
      el('div', { className: 'facts' }, [
        fact('Flow', view.flow, 'saga-flow'),
        fact('Trace id', view.traceId, 'saga-trace'),
        fact('Created', formatTime(view.createdAt)),
        fact('Updated', formatTime(view.updatedAt)),
        fact(ACTIVE.includes(view.status) ? 'Age' : 'Took', formatDuration(
          (ACTIVE.includes(view.status) ? Date.now() : Date.parse(view.updatedAt)) - Date.parse(view.createdAt))),
      ]),
    ];
    if (view.stall) parts.push(stallBanner(view.stall));
    if (view.failure && !view.stall) parts.push(el('div', { className: 'banner failure', testid: 'failure' }, [
      el('strong', { text: 'Failed at ' + view.failure.step + ' / ' + view.failure.task + ': ' }),
      errorText(view.failure.error),
    ]));
    byTestId('saga-header').replaceChildren(...parts);
  }

  function fact(label, value, testid) {
    return el('span', {}, [label + ' ', el('b', { testid: testid, text: value })]);
  }

  function stallBanner(stall) {
    const where = stall.phase === 'compensation' ? 'while compensating' : 'going forward';
    return el('div', { className: 'banner stall', testid: 'stall' }, [
      el('strong', { text: 'Stalled ' + where + ' at ' + stall.step + ' / ' + stall.task + ' since ' + formatTime(stall.at) + '. ' }),
      el('span', { testid: 'stall-reason', text: errorText(stall.error) }),
    ]);
  }

  /** Start and end of each step, task and compensation, from the timeline (epoch ms). */
  function timelineSpans(timeline) {
    const spans = {};
    const span = function span(key) {
      spans[key] = spans[key] || {};
      return spans[key];
    };
    timeline.forEach(function record(entry) {
      const at = Date.parse(entry.at);
      const task = entry.step + '/' + entry.task;
      if (entry.event === 'step-started') span('step:' + entry.step).start = at;
      if (entry.event === 'step-completed' || entry.event === 'step-failed') span('step:' + entry.step).end = at;
      if (entry.event === 'attempt-started' && span('task:' + task).start === undefined) span('task:' + task).start = at;
      if (entry.event === 'attempt-succeeded' || entry.event === 'attempt-failed') span('task:' + task).end = at;
      if (entry.event === 'compensation-started' && span('comp:' + task).start === undefined) span('comp:' + task).start = at;
      if (entry.event === 'compensation-succeeded' || entry.event === 'compensation-failed') span('comp:' + task).end = at;
    });
    return spans;
  }

  function spanText(span) {
    if (!span || span.start === undefined) return '';
    if (span.end === undefined || span.end < span.start) return 'since ' + formatTime(span.start);
    return formatDuration(span.end - span.start);
  }

  function renderFlow(view, spans) {
    const nodes = [el('span', { className: 'node', text: view.flow })];
    view.steps.forEach(function addStep(step) {
      nodes.push(el('span', { className: 'arrow' }));
      nodes.push(stepColumn(view, step, spans));
    });
    nodes.push(el('span', { className: 'arrow' }));
    nodes.push(el('span', { className: 'node end', testid: 'flow-end', 'data-status': view.status }, [badge(view.status)]));
    byTestId('flow').replaceChildren(...nodes);
  }

  function stepColumn(view, step, spans) {
    return el('div', { className: 'step', testid: 'step', 'data-step': step.name, 'data-status': step.status }, [
      el('div', { className: 'step-head' }, [
        el('strong', { text: step.name }),
        badge(step.status),
      ]),
      el('div', { className: 'muted', text: spanText(spans['step:' + step.name]) }),
    ].concat(step.tasks.map(function card(task) {
      return taskCard(view, step, task, spans);
    })));
  }

  function taskCard(view, step, task, spans) {
    const key = step.name + '/' + task.name;
    const attempts = task.attempts + (task.attempts === 1 ? ' attempt' : ' attempts');
    const timing = spanText(spans['task:' + key]);
    const children = [
      el('div', { className: 'task-head' }, [el('strong', { text: task.name }), badge(task.status)]),
      el('div', { className: 'muted', testid: 'task-attempts', text: attempts + (timing ? ' · ' + timing : '') + (task.skipped ? ' · skipped by an operator' : '') }),
    ];
    if (task.error) children.push(el('div', { className: 'error', testid: 'task-error', text: errorText(task.error) }));
    if (task.compensation) children.push(compensationLine(task.compensation, spans['comp:' + key]));
    if (ACTIVE.includes(view.status)) children.push(taskButtons(task));
    return el('div', {
      className: 'task', testid: 'task', 'data-task': task.name, 'data-status': task.status,
      'data-compensation': task.compensation ? task.compensation.status : undefined,
    }, children);
  }

  function compensationLine(compensation, span) {
    const timing = spanText(span);
    const parts = [
      el('div', {}, [
        'undo ',
        el('span', { testid: 'compensation-status', 'data-status': compensation.status }, [badge(compensation.status)]),
        ' ' + compensation.attempts + (compensation.attempts === 1 ? ' attempt' : ' attempts') + (timing ? ' · ' + timing : ''),
      ]),
      el('div', { className: 'muted', text: 'outcome: ' + (compensation.outcome === 'unknown' ? 'unknown (the attempt may have taken effect)' : 'took effect') + (compensation.skipped ? ' · done by hand' : '') }),
    ];
    if (compensation.error) parts.push(el('div', { className: 'error', testid: 'compensation-error', text: errorText(compensation.error) }));
    return el('div', { className: 'compensation', testid: 'compensation' }, parts);
  }

  function taskButtons(task) {
    return el('div', { className: 'buttons' }, [
      el('button', { type: 'button', className: 'small', testid: 'task-retry', 'data-task': task.name, text: 'Retry',
        title: 'Run this task (or, while compensating, its compensation) again now',
        onclick: function retry() { act('retry', task.name); } }),
      el('button', { type: 'button', className: 'small', testid: 'task-skip', 'data-task': task.name, text: 'Skip',
        title: 'Mark this task succeeded (with the output given), or its compensation done by hand',
        onclick: function skip() { act('skip', task.name); } }),
    ]);
  }

  function renderActions(view) {
    document.querySelector('[data-action="resume"]').disabled = view.status !== 'stalled';
    document.querySelector('[data-action="compensate"]').disabled = !(view.status === 'running' || view.status === 'stalled');
    document.querySelector('[data-action="cancel"]').disabled = view.status !== 'running';
  }

  function renderHistory(history) {
    const body = byTestId('history').tBodies[0];
    if (history.length === 0) {
      body.replaceChildren(el('tr', {}, [el('td', { colspan: 5, className: 'muted', text: 'No operator has acted on this saga.' })]));
      return;
    }
    body.replaceChildren(...history.map(function historyRow(entry) {
      return el('tr', { testid: 'history-row' }, [
        el('td', { text: formatTime(entry.at) }),
        el('td', { text: entry.action }),
        el('td', { text: entry.by }),
        el('td', { text: entry.task }),
        el('td', { text: entry.reason }),
      ]);
    }));
  }

  function renderTimeline(timeline) {
    const body = byTestId('timeline').tBodies[0];
    const origin = timeline.length > 0 ? Date.parse(timeline[0].at) : 0;
    body.replaceChildren(...timeline.map(function timelineRow(entry) {
      const detail = entry.event === 'action'
        ? entry.action + ' by ' + entry.by + (entry.reason ? ': ' + entry.reason : '')
        : errorText(entry.error);
      return el('tr', { testid: 'timeline-row', 'data-event': entry.event }, [
        el('td', { className: 'mono', title: formatTime(entry.at), text: formatClock(entry.at) }),
        el('td', { className: 'num', text: String(Date.parse(entry.at) - origin) }),
        el('td', { text: entry.event }),
        el('td', { text: entry.step }),
        el('td', { text: entry.task }),
        el('td', { className: 'num', text: entry.attempt }),
        el('td', { className: 'detail', text: detail }),
      ]);
    }));
  }

  // ---- Operator actions ----

  function actionBody(type, task) {
    const body = { reason: document.getElementById('reason').value };
    if (task !== undefined) body.task = task;
    const output = document.getElementById('skip-output').value.trim();
    if (type === 'skip' && output) body.output = JSON.parse(output);
    return body;
  }

  async function act(type, task) {
    const sagaId = currentSagaId();
    const message = byTestId('action-message');
    let body;
    try {
      body = actionBody(type, task);
    } catch (error) {
      say(message, 'The output is not JSON: ' + error.message, 'error');
      return;
    }
    say(message, 'Sending ' + type + '...', 'info');
    try {
      const answer = await api('POST', '/admin/sagas/' + encodeURIComponent(sagaId) + '/' + type, body);
      if (answer.status === 202) {
        say(message, 'Sent; no orchestrator answered yet, it applies later: ' + answer.body.message, 'info');
      } else {
        say(message, type + ' accepted: the saga is ' + answer.body.status + '.', 'ok');
        renderDetail(answer.body);
      }
    } catch (error) {
      if (error.status !== 401) say(message, type + ' refused: ' + error.message, 'error');
    }
  }

  function onActionClick(event) {
    const type = event.currentTarget.dataset.action;
    act(type, undefined);
  }
`;
