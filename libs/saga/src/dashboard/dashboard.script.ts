/*
 * The dashboard's browser script, in three parts that share one function scope: the opening (state, DOM
 * helpers, the operator API, the token, routing), then the list and the saga views (their own files), then
 * the closing that binds the page and starts polling. Written without backticks, `${` or backslashes, since it
 * lives in template strings; every value goes into the page with `textContent`.
 */
import { DASHBOARD_LIST_SCRIPT } from './dashboard-list.script';
import { DASHBOARD_SAGA_SCRIPT } from './dashboard-saga.script';

const OPENING = `'use strict';
(function dashboard() {
  const POLL_MS = 2000;
  const STATUSES = ['running', 'compensating', 'stalled', 'completed', 'compensated'];
  const TOKEN_KEY = 'dta.adminToken';
  const OPERATOR_KEY = 'dta.operator';
  const OFF_MESSAGE = 'The operator API is off: set SAGA_ADMIN_TOKEN (at least 16 characters) and restart the app.';
  const ACTIVE = ['running', 'compensating', 'stalled'];

  const state = {
    flows: [],
    seenFlows: new Set(),
    filters: {},
    cursors: [],
    cursor: undefined,
    next: undefined,
    countsAvailable: true,
    saga: undefined,
    busy: false,
    again: false,
    off: false,
  };

  // ---- DOM helpers: values go in as text, never as markup ----

  function byTestId(id, root) {
    return (root || document).querySelector('[data-testid="' + id + '"]');
  }

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.entries(props || {}).forEach(function setProp(entry) {
      const name = entry[0];
      const value = entry[1];
      if (value === undefined || value === null || value === false) return;
      if (name === 'text') node.textContent = String(value);
      else if (name === 'className') node.className = value;
      else if (name === 'testid') node.dataset.testid = value;
      else if (name === 'onclick') node.addEventListener('click', value);
      else node.setAttribute(name, String(value));
    });
    (children || []).forEach(function append(child) {
      if (child === undefined || child === null) return;
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function show(node, visible) {
    node.hidden = !visible;
  }

  function say(node, text, kind) {
    node.textContent = text || '';
    if (kind) node.dataset.kind = kind;
    show(node, Boolean(text));
  }

  function badge(status) {
    return el('span', { className: 'badge', 'data-status': status, text: status });
  }

  function formatTime(value) {
    if (value === undefined || value === null) return '';
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
  }

  function formatClock(value) {
    const date = new Date(value);
    const clock = { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 };
    return date.toLocaleTimeString([], Object.assign({ hour12: false }, clock));
  }

  function formatDuration(ms) {
    if (ms === undefined || ms === null || Number.isNaN(ms)) return '';
    if (ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
    return Math.floor(ms / 60000) + ' min ' + Math.round((ms % 60000) / 1000) + ' s';
  }

  function errorText(error) {
    if (!error) return '';
    return (error.name ? error.name + ': ' : '') + (error.message || '');
  }

  // ---- The operator API ----

  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  }

  function operatorName() {
    return document.getElementById('operator').value.trim();
  }

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  function messageOf(payload, response) {
    if (payload && Array.isArray(payload.message)) return payload.message.join('; ');
    if (payload && typeof payload.message === 'string') return payload.message;
    return response.status + ' ' + response.statusText;
  }

  async function readJson(response) {
    const text = await response.text();
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch (ignored) {
      return { message: text.slice(0, 300) };
    }
  }

  async function api(method, path, body) {
    const headers = { accept: 'application/json', authorization: 'Bearer ' + token() };
    if (operatorName()) headers['x-operator'] = operatorName();
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
    const payload = await readJson(response);
    if (response.status === 401) {
      askForToken('The server refused this token. Paste SAGA_ADMIN_TOKEN again.');
      throw new ApiError(401, messageOf(payload, response));
    }
    if (!response.ok) throw new ApiError(response.status, messageOf(payload, response));
    return { status: response.status, body: payload };
  }

  function query(params) {
    const search = new URLSearchParams();
    Object.entries(params).forEach(function add(entry) {
      if (entry[1] !== undefined && entry[1] !== '') search.set(entry[0], String(entry[1]));
    });
    const text = search.toString();
    return text ? '?' + text : '';
  }

  /** Whether the operator API is served at all: without a token it answers 404 (off) or 401 (on). */
  async function operatorApiIsOn() {
    const response = await fetch('/admin/sagas?limit=1', { cache: 'no-store', credentials: 'omit' });
    return response.status !== 404;
  }

  // ---- Token and notices ----

  /** Shows the view the state calls for: the off notice, the token prompt, the list or a saga. */
  function showViews() {
    const sagaId = currentSagaId();
    const signedIn = !state.off && Boolean(token());
    show(byTestId('login'), !state.off && !signedIn);
    show(byTestId('list-view'), signedIn && sagaId === undefined);
    show(byTestId('detail-view'), signedIn && sagaId !== undefined);
    show(document.getElementById('sign-out'), signedIn);
  }

  function setOff(off) {
    state.off = off;
    say(byTestId('notice'), off ? OFF_MESSAGE : '', 'off');
    showViews();
  }

  function askForToken(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    say(byTestId('login-error'), message || '', 'error');
    showViews();
    document.getElementById('token').focus();
  }

  function onLogin(event) {
    event.preventDefault();
    const input = document.getElementById('token');
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    input.value = '';
    say(byTestId('login-error'), '');
    route();
  }

  function onSignOut() {
    askForToken('');
  }

  function stamp() {
    byTestId('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  }

  // ---- Routing: #/ is the list, #/sagas/<id> a saga ----

  function currentSagaId() {
    const match = /^#[/]sagas[/](.+)$/.exec(location.hash);
    return match ? decodeURIComponent(match[1]) : undefined;
  }

  function route() {
    const sagaId = currentSagaId();
    if (!state.saga || state.saga.id !== sagaId) {
      state.saga = undefined;
      if (sagaId !== undefined) clearDetail();
    }
    showViews();
    refresh();
  }

  /** Reads what the current view shows; a call made while one is in flight runs once it is done. */
  async function refresh() {
    if (state.busy) {
      state.again = true;
      return;
    }
    state.busy = true;
    try {
      if (!token()) {
        setOff(!(await operatorApiIsOn()));
        return;
      }
      const sagaId = currentSagaId();
      if (sagaId === undefined) await refreshList();
      else await refreshDetail(sagaId);
      stamp();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) {
        say(byTestId('notice'), 'Cannot reach the server: ' + error.message, 'error');
      }
    } finally {
      state.busy = false;
    }
    if (state.again) {
      state.again = false;
      refresh();
    }
  }

  function poll() {
    if (document.visibilityState !== 'hidden' && (state.off || token())) refresh();
  }

`;

const CLOSING = `
  // ---- Start ----

  function init() {
    const operator = document.getElementById('operator');
    operator.value = sessionStorage.getItem(OPERATOR_KEY) || '';
    operator.addEventListener('change', function keepOperator() {
      sessionStorage.setItem(OPERATOR_KEY, operator.value.trim());
    });
    document.getElementById('login-form').addEventListener('submit', onLogin);
    document.getElementById('sign-out').addEventListener('click', onSignOut);
    document.getElementById('filters').addEventListener('submit', onFilter);
    document.getElementById('filters').addEventListener('reset', onResetFilters);
    document.getElementById('page-older').addEventListener('click', onOlder);
    document.getElementById('page-newer').addEventListener('click', onNewer);
    document.querySelectorAll('[data-action]').forEach(function bind(button) {
      button.addEventListener('click', onActionClick);
    });
    window.addEventListener('hashchange', route);
    setInterval(poll, POLL_MS);
    route();
  }

  init();
})();
`;

/** The browser script: routing, polling, rendering and actions, as small named functions. */
export const DASHBOARD_SCRIPT = OPENING + DASHBOARD_LIST_SCRIPT + DASHBOARD_SAGA_SCRIPT + CLOSING;
