/** Status colours: running blue, compensating amber, stalled red, completed green, compensated grey. */
export const DASHBOARD_STYLE = `
:root {
  --bg: #f6f7f9; --panel: #ffffff; --line: #e3e6ea; --text: #1f2328; --muted: #667085; --accent: #334155;
  --running: #2563eb; --compensating: #d97706; --stalled: #dc2626; --completed: #16a34a; --compensated: #6b7280;
  --pending: #9ca3af; --running-bg: #eff6ff; --compensating-bg: #fffbeb; --stalled-bg: #fef2f2;
  --completed-bg: #f0fdf4; --compensated-bg: #f3f4f6; --pending-bg: #fafafa;
  font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
  font-size: 14px; color: var(--text); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
[hidden] { display: none !important; }
header.bar { display: flex; align-items: center; gap: 16px; padding: 10px 24px; background: #1f2937; color: #f9fafb; }
header.bar h1 { font-size: 16px; margin: 0; font-weight: 600; letter-spacing: .02em; }
header.bar .grow { flex: 1; }
header.bar label { color: #d1d5db; font-size: 12px; display: flex; align-items: center; gap: 6px; }
header.bar input { width: 140px; background: #374151; border-color: #4b5563; color: #f9fafb; }
header.bar button { background: transparent; color: #f9fafb; border-color: #4b5563; font-size: 12px; }
header.bar button:hover:not(:disabled) { background: #374151; }
main { padding: 20px 24px 40px; max-width: 1400px; margin: 0 auto; }
section.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin-bottom: 16px; }
section.panel h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 0 0 12px; font-weight: 600; }
input, select, textarea, button { font: inherit; color: inherit; border: 1px solid #cfd4da; border-radius: 6px; padding: 6px 8px; background: #fff; }
textarea { width: 100%; min-height: 34px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
button { cursor: pointer; background: #fff; font-weight: 500; }
button:hover:not(:disabled) { background: #f3f4f6; }
button:disabled { cursor: not-allowed; opacity: .45; }
button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
button.primary:hover:not(:disabled) { background: #1e293b; }
button.danger { color: var(--stalled); border-color: #f3b4b4; }
button.small { padding: 2px 8px; font-size: 12px; }
a { color: var(--running); text-decoration: none; }
a:hover { text-decoration: underline; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.muted { color: var(--muted); }
.notice { border-radius: 8px; padding: 12px 16px; margin-bottom: 16px; border: 1px solid; }
.notice[data-kind='off'], .notice[data-kind='error'] { background: var(--stalled-bg); border-color: #fecaca; color: #991b1b; }
.notice[data-kind='info'] { background: var(--running-bg); border-color: #bfdbfe; color: #1e3a8a; }
.login { max-width: 520px; margin: 60px auto; }
.login form { display: flex; gap: 8px; }
.login input { flex: 1; }
.login p { color: var(--muted); margin: 0 0 12px; }
.login .error { color: var(--stalled); margin-top: 10px; }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-end; margin-bottom: 14px; }
.filters label { display: flex; flex-direction: column; gap: 4px; font-size: 12px; color: var(--muted); }
.filters label.check { flex-direction: row; align-items: center; padding-bottom: 8px; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-weight: 600; font-size: 12px; color: var(--muted); border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid #f0f1f3; padding: 7px 8px; vertical-align: top; }
tr.row { cursor: pointer; }
tr.row:hover td { background: #f9fafb; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.counts td.num button { border: none; padding: 0 4px; background: none; font-variant-numeric: tabular-nums; }
.counts td.num button:hover { text-decoration: underline; }
.counts button[data-empty] { color: #b8bec6; }
.counts button[data-status='stalled']:not([data-empty]) { color: var(--stalled); font-weight: 700; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; background: #fff; }
.badge[data-status='running'], .badge[data-status='waiting'] { color: var(--running); background: var(--running-bg); }
.badge[data-status='compensating'], .badge[data-status='unknown'] { color: var(--compensating); background: var(--compensating-bg); }
.badge[data-status='stalled'], .badge[data-status='failed'] { color: var(--stalled); background: var(--stalled-bg); }
.badge[data-status='completed'], .badge[data-status='succeeded'] { color: var(--completed); background: var(--completed-bg); }
.badge[data-status='compensated'], .badge[data-status='cancelled'] { color: var(--compensated); background: var(--compensated-bg); }
.badge[data-status='pending'] { color: var(--pending); background: var(--pending-bg); }
th.status-running { color: var(--running); } th.status-compensating { color: var(--compensating); }
th.status-stalled { color: var(--stalled); } th.status-completed { color: var(--completed); }
th.status-compensated { color: var(--compensated); }
.pager { display: flex; align-items: center; gap: 10px; margin-top: 12px; }
.detail-head { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; }
section.panel .detail-head h2 { margin: 0; font-size: 18px; text-transform: none; letter-spacing: 0; color: var(--text); }
.facts { display: flex; flex-wrap: wrap; gap: 24px; margin-top: 10px; color: var(--muted); font-size: 12px; }
.facts b { color: var(--text); font-weight: 500; }
.banner { border-radius: 8px; padding: 10px 14px; margin-top: 12px; border: 1px solid; }
.banner.stall { background: var(--stalled-bg); border-color: #fecaca; color: #7f1d1d; }
.banner.failure { background: var(--compensating-bg); border-color: #fde68a; color: #78350f; }
.flow { display: flex; align-items: stretch; gap: 0; overflow-x: auto; padding-bottom: 6px; }
.node { align-self: center; padding: 6px 14px; border-radius: 999px; border: 1px solid var(--line); background: #fff; font-weight: 600; white-space: nowrap; }
.arrow { align-self: center; width: 32px; min-width: 32px; height: 2px; background: #cbd2d9; position: relative; }
.arrow::after { content: ''; position: absolute; right: -1px; top: -4px; border-left: 7px solid #cbd2d9; border-top: 5px solid transparent; border-bottom: 5px solid transparent; }
.step { min-width: 220px; max-width: 300px; border: 1px solid var(--line); border-top: 4px solid var(--pending); border-radius: 8px; padding: 10px; background: #fcfcfd; display: flex; flex-direction: column; gap: 8px; }
.step[data-status='running'] { border-top-color: var(--running); }
.step[data-status='succeeded'] { border-top-color: var(--completed); }
.step[data-status='failed'], .step[data-status='stalled'] { border-top-color: var(--stalled); }
.step[data-status='compensating'] { border-top-color: var(--compensating); }
.step[data-status='compensated'] { border-top-color: var(--compensated); }
.step-head { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
.step-head strong { font-size: 13px; }
.task { border: 1px solid var(--line); border-left: 4px solid var(--pending); border-radius: 6px; padding: 8px; background: #fff; font-size: 12px; display: flex; flex-direction: column; gap: 4px; }
.task[data-status='running'], .task[data-status='waiting'] { border-left-color: var(--running); background: var(--running-bg); }
.task[data-status='succeeded'] { border-left-color: var(--completed); }
.task[data-status='failed'] { border-left-color: var(--stalled); background: var(--stalled-bg); }
.task[data-status='unknown'] { border-left-color: var(--compensating); background: var(--compensating-bg); }
.task[data-status='cancelled'] { border-left-color: var(--compensated); }
.task[data-compensation='succeeded'] { border-left-color: var(--compensated); background: var(--compensated-bg); }
.task[data-compensation='running'], .task[data-compensation='waiting'] { border-left-color: var(--compensating); background: var(--compensating-bg); }
.task[data-compensation='failed'] { border-left-color: var(--stalled); background: var(--stalled-bg); }
.task-head { display: flex; justify-content: space-between; gap: 6px; align-items: center; }
.task-head strong { font-size: 13px; word-break: break-all; }
.task .error { color: #991b1b; word-break: break-word; }
.task .compensation { border-top: 1px dashed var(--line); padding-top: 4px; }
.task .buttons { display: flex; gap: 6px; margin-top: 2px; }
.actions { display: grid; grid-template-columns: 1fr auto; gap: 12px; align-items: start; }
.actions .fields { display: flex; flex-direction: column; gap: 8px; }
.actions label { display: flex; flex-direction: column; gap: 4px; font-size: 12px; color: var(--muted); }
.actions .buttons { display: flex; gap: 8px; padding-top: 18px; }
.action-message { margin-top: 10px; font-size: 13px; }
.action-message[data-kind='error'] { color: var(--stalled); }
.action-message[data-kind='ok'] { color: var(--completed); }
.action-message[data-kind='info'] { color: var(--compensating); }
.timeline td { font-size: 12px; white-space: nowrap; }
.timeline td.detail { white-space: normal; }
.node.end { border: none; padding: 0; background: none; }
.updated { font-size: 12px; color: var(--muted); }
`;
