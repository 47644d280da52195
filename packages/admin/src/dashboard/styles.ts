/** Dashboard styles: system fonts, no external resources. */
export const DASHBOARD_CSS = `
:root {
  --bg: #f6f8fa; --card: #fff; --ink: #1f2328; --muted: #656d76; --line: #d0d7de;
  --succeeded: #1a7f37; --failed: #cf222e; --pending: #9a6700; --sending: #0969da; --cancelled: #6e7781;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; }
.top { display: flex; align-items: center; justify-content: space-between; padding: 12px 24px; background: #24292f; color: #fff; }
.top h1 { margin: 0; font-size: 18px; }
.top h1 span { font-weight: 400; opacity: .7; }
.top select { margin-left: 6px; }
main { padding: 16px 24px; display: grid; gap: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.card h2 { margin: 0 0 8px; font-size: 15px; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.chart svg { width: 100%; height: auto; display: block; }
.chart .axis { stroke: var(--line); }
.chart text { fill: var(--muted); font-size: 11px; }
.legend { display: flex; gap: 12px; font-size: 12px; color: var(--muted); margin-top: 4px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.error { margin: 12px 24px 0; padding: 8px 12px; border: 1px solid var(--failed); border-radius: 6px; background: #ffebe9; color: var(--failed); }
.auth { margin: 16px 24px 0; display: flex; gap: 8px; align-items: center; }
.auth p { margin: 0; }
table.grid { width: 100%; border-collapse: collapse; font-size: 13px; }
.grid th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 6px 8px; }
.grid td { border-bottom: 1px solid #eaeef2; padding: 6px 8px; vertical-align: top; }
#deliveries tbody tr { cursor: pointer; }
#deliveries tbody tr:hover, #deliveries tbody tr.selected { background: #f0f6ff; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; color: #fff; }
.badge-succeeded, .badge-active { background: var(--succeeded); }
.badge-failed, .badge-disabled, .badge-misconfigured { background: var(--failed); }
.badge-pending, .badge-failing { background: var(--pending); }
.badge-sending { background: var(--sending); }
.badge-cancelled, .badge-idle { background: var(--cancelled); }
.badge-circuit-closed { background: #eaeef2; color: var(--ink); }
.badge-circuit-open { background: var(--failed); }
.badge-circuit-half-open { background: var(--pending); }
.control { color: var(--muted); }
td.circuit, .badge { white-space: nowrap; }
.filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; margin-bottom: 8px; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
input, select, button { font: inherit; }
input, select { padding: 3px 6px; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
button { padding: 4px 12px; border-radius: 6px; border: 1px solid #1f883d; background: #1f883d; color: #fff; cursor: pointer; }
button.quiet { background: #f6f8fa; color: var(--ink); border-color: var(--line); }
button.danger { background: #fff; color: var(--failed); border-color: var(--failed); }
button:disabled { opacity: .5; cursor: default; }
.pager { display: flex; gap: 12px; align-items: center; justify-content: flex-end; margin-top: 8px; color: var(--muted); }
.empty { color: var(--muted); text-align: center; padding: 16px; }
.detail { position: fixed; top: 0; right: 0; bottom: 0; width: min(600px, 100%); overflow: auto; background: var(--card);
  border-left: 1px solid var(--line); box-shadow: -8px 0 24px rgba(0,0,0,.12); padding: 16px 20px; }
.detail h2 { margin: 0 0 8px; font-size: 16px; }
.detail .actions { display: flex; gap: 8px; margin: 8px 0 12px; align-items: center; }
.detail dl { display: grid; grid-template-columns: 110px 1fr; gap: 2px 12px; margin: 0 0 12px; }
.detail dt { color: var(--muted); }
.detail dd { margin: 0; overflow-wrap: anywhere; }
pre { margin: 4px 0 8px; padding: 8px; background: #f6f8fa; border: 1px solid #eaeef2; border-radius: 6px; white-space: pre-wrap; word-break: break-all; }
.attempt { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 8px 0; }
.attempt h3 { margin: 0 0 4px; font-size: 13px; }
.attempt table { border-collapse: collapse; font-size: 12px; margin-bottom: 6px; }
.attempt td { padding: 1px 8px 1px 0; vertical-align: top; overflow-wrap: anywhere; }
.note { color: var(--succeeded); }
/* On wide screens the detail panel sits beside the content instead of over it. */
@media (min-width: 1400px) { body.detail-open main, body.detail-open .top { margin-right: 600px; } }
@media (max-width: 900px) { .charts { grid-template-columns: 1fr; } }
`;
