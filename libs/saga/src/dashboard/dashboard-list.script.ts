/** The list view of the dashboard's script: filters, pages, counts (see `dashboard.script.ts`). */
export const DASHBOARD_LIST_SCRIPT = `
  // ---- List view ----

  function readFilters() {
    const form = document.getElementById('filters');
    const data = new FormData(form);
    const iso = function iso(value) {
      return value ? new Date(value).toISOString() : undefined;
    };
    return {
      flow: String(data.get('flow') || '').trim(),
      status: String(data.get('status') || ''),
      stalled: data.get('stalled') ? 'true' : undefined,
      traceId: String(data.get('traceId') || '').trim(),
      from: iso(data.get('from')),
      to: iso(data.get('to')),
    };
  }

  function onFilter(event) {
    event.preventDefault();
    state.filters = readFilters();
    if (state.filters.stalled) state.filters.status = '';
    state.cursors = [];
    state.cursor = undefined;
    refresh();
  }

  function onResetFilters() {
    setTimeout(function applyReset() {
      state.filters = {};
      state.cursors = [];
      state.cursor = undefined;
      refresh();
    });
  }

  function filterBy(flow, status) {
    const form = document.getElementById('filters');
    form.elements.flow.value = flow || '';
    form.elements.status.value = status;
    form.elements.stalled.checked = false;
    form.requestSubmit();
  }

  function onOlder() {
    if (!state.next) return;
    state.cursors.push(state.cursor);
    state.cursor = state.next;
    refresh();
  }

  function onNewer() {
    if (state.cursors.length === 0) return;
    state.cursor = state.cursors.pop();
    refresh();
  }

  async function refreshList() {
    const params = Object.assign({}, state.filters, { cursor: state.cursor, limit: 25 });
    let page;
    try {
      page = (await api('GET', '/admin/sagas' + query(params))).body;
      setOff(false);
      say(byTestId('list-error'), '');
    } catch (error) {
      if (error.status === 401) throw error;
      if (error.status === 404) return setOff(true);
      say(byTestId('list-error'), 'The list was refused: ' + error.message, 'error');
      return;
    }
    state.next = page.next;
    page.sagas.forEach(function remember(saga) {
      state.seenFlows.add(saga.flow);
    });
    renderList(page.sagas);
    await refreshFlows();
    await refreshCounts();
  }

  function renderList(sagas) {
    const body = byTestId('saga-list').tBodies[0];
    body.replaceChildren(...sagas.map(sagaRow));
    show(byTestId('list-empty'), sagas.length === 0);
    document.getElementById('page-older').disabled = !state.next;
    document.getElementById('page-newer').disabled = state.cursors.length === 0;
    byTestId('page-number').textContent = 'page ' + (state.cursors.length + 1);
  }

  function sagaRow(saga) {
    const href = '#/sagas/' + encodeURIComponent(saga.id);
    const row = el('tr', { className: 'row', testid: 'saga-row', 'data-saga-id': saga.id, 'data-status': saga.status }, [
      el('td', {}, [badge(saga.status)]),
      el('td', {}, [el('a', { href: href, className: 'mono', text: saga.id })]),
      el('td', { text: saga.flow }),
      el('td', { text: saga.step }),
      el('td', { className: 'mono', text: saga.traceId }),
      el('td', { text: formatTime(saga.createdAt) }),
      el('td', { text: formatTime(saga.updatedAt) }),
    ]);
    row.addEventListener('click', function open() {
      location.hash = href;
    });
    return row;
  }

  async function refreshFlows() {
    try {
      const flows = (await api('GET', '/dta/flows')).body;
      state.flows = Array.isArray(flows) ? flows : [];
    } catch (ignored) {
      state.flows = [];
    }
    state.flows.forEach(function remember(flow) {
      state.seenFlows.add(flow.flow);
    });
    const list = document.getElementById('flow-names');
    list.replaceChildren(...knownFlows().map(function option(flow) {
      return el('option', { value: flow });
    }));
  }

  function knownFlows() {
    return Array.from(state.seenFlows).sort();
  }

  async function countsOf(flow) {
    try {
      return (await api('GET', '/admin/sagas/counts' + query({ flow: flow }))).body.counts;
    } catch (error) {
      if (error.status === 404) state.countsAvailable = false;
      if (error.status === 401) throw error;
      return undefined;
    }
  }

  async function refreshCounts() {
    state.countsAvailable = true;
    const flows = knownFlows();
    const all = await countsOf(undefined);
    const rows = [{ flow: undefined, counts: all }];
    if (state.countsAvailable) {
      const perFlow = await Promise.all(flows.map(countsOf));
      flows.forEach(function addRow(flow, index) {
        rows.push({ flow: flow, counts: perFlow[index] });
      });
    }
    renderCounts(rows);
  }

  function renderCounts(rows) {
    const holder = byTestId('counts');
    if (!state.countsAvailable) {
      holder.replaceChildren(el('p', { className: 'muted', testid: 'counts-unavailable',
        text: 'Counts are unavailable: this server does not answer GET /admin/sagas/counts.' }));
      return;
    }
    const head = el('tr', {}, [el('th', { text: 'Flow' })].concat(STATUSES.map(function column(status) {
      return el('th', { className: 'num status-' + status, text: status });
    })));
    const body = rows.map(function countRow(row) {
      const name = row.flow === undefined ? 'all flows' : row.flow;
      return el('tr', { testid: 'counts-row', 'data-flow': name }, [el('td', { text: name })].concat(
        STATUSES.map(function cell(status) {
          const value = row.counts ? row.counts[status] : undefined;
          return el('td', { className: 'num' }, [el('button', {
            type: 'button', testid: 'count', 'data-status': status, 'data-flow': name,
            title: 'List ' + status + ' sagas of ' + name,
            text: value === undefined ? '?' : String(value),
            'data-empty': value === 0 ? '' : undefined,
            onclick: function pick() { filterBy(row.flow, status); },
          })]);
        })));
    });
    holder.replaceChildren(el('table', {}, [el('thead', {}, [head]), el('tbody', {}, body)]));
  }
`;
