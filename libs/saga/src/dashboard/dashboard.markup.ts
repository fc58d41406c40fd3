/** The page's markup: the views are filled in by the script. */
export const DASHBOARD_BODY = `
<header class="bar">
  <h1>DTA &middot; Sagas</h1>
  <span class="grow"></span>
  <span class="updated" data-testid="updated"></span>
  <label>Operator <input id="operator" data-testid="operator" maxlength="64" placeholder="admin" autocomplete="off"></label>
  <button id="sign-out" data-testid="sign-out" hidden>Forget token</button>
</header>
<main>
  <div class="notice" data-testid="notice" hidden></div>

  <section class="panel login" data-testid="login" hidden>
    <h2>Operator token</h2>
    <p>Paste the operator token (SAGA_ADMIN_TOKEN). It stays in this tab (sessionStorage) and goes only to this server.</p>
    <form id="login-form">
      <input id="token" data-testid="token-input" type="password" autocomplete="off" placeholder="SAGA_ADMIN_TOKEN" required>
      <button class="primary" data-testid="token-submit" type="submit">Connect</button>
    </form>
    <div class="error" data-testid="login-error" hidden></div>
  </section>

  <div data-testid="list-view" hidden>
    <section class="panel counts">
      <h2>Sagas by status</h2>
      <div data-testid="counts"></div>
    </section>
    <section class="panel">
      <h2>Sagas</h2>
      <form class="filters" id="filters" data-testid="filters">
        <label>Flow <input name="flow" data-testid="filter-flow" list="flow-names" maxlength="128" placeholder="any"></label>
        <datalist id="flow-names"></datalist>
        <label>Status
          <select name="status" data-testid="filter-status">
            <option value="">any</option>
            <option>running</option><option>compensating</option><option>stalled</option>
            <option>completed</option><option>compensated</option>
          </select>
        </label>
        <label class="check"><input type="checkbox" name="stalled" data-testid="filter-stalled"> stalled only</label>
        <label>Trace id <input name="traceId" data-testid="filter-trace" maxlength="256" placeholder="any" class="mono"></label>
        <label>Created from <input name="from" type="datetime-local" step="1" data-testid="filter-from"></label>
        <label>Created before <input name="to" type="datetime-local" step="1" data-testid="filter-to"></label>
        <button class="primary" type="submit" data-testid="filter-apply">Apply</button>
        <button type="reset" data-testid="filter-reset">Clear</button>
      </form>
      <div class="notice" data-kind="error" data-testid="list-error" hidden></div>
      <table data-testid="saga-list">
        <thead><tr><th>Status</th><th>Saga</th><th>Flow</th><th>Step</th><th>Trace id</th><th>Created</th><th>Updated</th></tr></thead>
        <tbody></tbody>
      </table>
      <p class="muted" data-testid="list-empty" hidden>No saga matches these filters.</p>
      <div class="pager">
        <button data-testid="page-newer" id="page-newer">&larr; Newer</button>
        <span class="muted" data-testid="page-number"></span>
        <button data-testid="page-older" id="page-older">Older &rarr;</button>
      </div>
    </section>
  </div>

  <div data-testid="detail-view" hidden>
    <p><a href="#/" data-testid="back">&larr; All sagas</a></p>
    <div class="notice" data-kind="error" data-testid="detail-error" hidden></div>
    <section class="panel" data-testid="saga-header"></section>
    <section class="panel">
      <h2>Flow</h2>
      <div class="flow" data-testid="flow"></div>
    </section>
    <section class="panel">
      <h2>Operator actions</h2>
      <div class="actions">
        <div class="fields">
          <label>Reason (kept in the saga's history)
            <input id="reason" data-testid="reason" maxlength="500" placeholder="why, in a sentence" autocomplete="off">
          </label>
          <label>Output for skip (JSON, optional)
            <textarea id="skip-output" data-testid="skip-output" placeholder='{"orderId": "..."}'></textarea>
          </label>
        </div>
        <div class="buttons">
          <button data-testid="action-resume" data-action="resume">Resume</button>
          <button data-testid="action-compensate" data-action="compensate">Compensate</button>
          <button class="danger" data-testid="action-cancel" data-action="cancel">Cancel</button>
        </div>
      </div>
      <div class="action-message" data-testid="action-message" hidden></div>
    </section>
    <section class="panel">
      <h2>History of operator actions</h2>
      <table class="timeline" data-testid="history">
        <thead><tr><th>At</th><th>Action</th><th>By</th><th>Task</th><th>Reason</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
    <section class="panel">
      <h2>Timeline</h2>
      <table class="timeline" data-testid="timeline">
        <thead><tr><th>At</th><th>+ms</th><th>Event</th><th>Step</th><th>Task</th><th>Attempt</th><th>Detail</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
  </div>
</main>
`;
