/**
 * The dashboard's HTML shell. Everything it loads comes from this server (relative URLs, so it
 * also works behind a path prefix); the CSP forbids any other origin and any inline script.
 * The script is an ES module: deferred, strict, and nothing it declares reaches window.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hookline admin</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/dashboard.css">
<script type="module" src="assets/dashboard.js"></script>
</head>
<body>
<header class="top">
  <h1>Hookline <span>admin</span></h1>
  <label>Charts over
    <select id="range">
      <option value="1h">1 hour</option>
      <option value="6h">6 hours</option>
      <option value="24h" selected>24 hours</option>
      <option value="7d">7 days</option>
      <option value="30d">30 days</option>
    </select>
  </label>
</header>
<div id="error" class="error" role="alert" hidden></div>
<form id="auth" class="card auth" hidden>
  <p id="auth-message">This admin API needs its bearer token.</p>
  <input id="auth-token" type="password" autocomplete="off" placeholder="admin token" aria-label="admin token">
  <button type="submit">Sign in</button>
</form>
<main id="app">
  <section class="charts">
    <div class="card"><h2>Volume by status</h2><div id="chart-volume" class="chart"></div><div id="legend-volume" class="legend"></div></div>
    <div class="card"><h2>Attempt latency</h2><div id="chart-latency" class="chart"></div><div id="legend-latency" class="legend"></div></div>
  </section>
  <section class="card">
    <h2>Endpoints</h2>
    <table id="endpoints" class="grid"><thead><tr>
      <th>endpoint</th><th>state</th><th>circuit</th><th>success (7 d)</th><th>consecutive failures</th><th>last success</th><th>last failure</th><th>pending</th><th>due</th><th>oldest due</th><th></th>
    </tr></thead><tbody></tbody></table>
  </section>
  <section class="card">
    <h2>Deliveries</h2>
    <form id="filters" class="filters">
      <label>status <select name="status"><option value="">any</option></select></label>
      <label>event <select name="event"><option value="">any</option></select></label>
      <label>endpoint <select name="endpoint"><option value="">any</option></select></label>
      <label>subject <input name="subject" placeholder="buyer id" size="12"></label>
      <label>since <input name="since" placeholder="24h or 2026-11-28" size="14"></label>
      <label>until <input name="until" placeholder="now" size="14"></label>
      <button type="submit">Apply</button>
      <button type="reset" class="quiet">Reset</button>
    </form>
    <table id="deliveries" class="grid"><thead><tr>
      <th>created (UTC)</th><th>event</th><th>endpoint</th><th>subject</th><th>status</th><th>tries</th><th>HTTP</th><th>last error</th><th>duration</th>
    </tr></thead><tbody></tbody></table>
    <div class="pager">
      <button id="newer" type="button" class="quiet" disabled>← newer</button>
      <span id="page-info"></span>
      <button id="older" type="button" class="quiet" disabled>older →</button>
    </div>
  </section>
</main>
<aside id="detail" class="detail" hidden aria-label="delivery detail"></aside>
</body>
</html>
`;
