// The live dashboard (docs/operations.md, "Dashboard"). Data arrives by push over the SockJS event-bus bridge;
// the read queries it permits load the initial state on open and again on each reconnect. Executions' status and
// log frames come from the monitor stream /ws of a hub node.
import { Bridge } from './bridge.js';
import { Monitor } from './monitor.js';
import { Chart, Rolling } from './charts.js';

const STATS = 'switchboard.stats.cluster';
const ALERTS = 'switchboard.alerts';
const HEALTH = 'switchboard.health.cluster';
const EVENTS = 'switchboard.hub.events';
const STATS_QUERY = 'switchboard.stats.query';
const ALERTS_QUERY = 'switchboard.alerts.query';
/** Without a ClusterStats for this long the page says its figures are stale, though the bridge is open. */
const STATS_SILENT_MS = 5000;
const EXECUTIONS_SHOWN = 50;
const EXECUTIONS_RENDER_MS = 250;
const LOG_LINES_KEPT = 200;
const CLIENTS_PAGE = 20;
const HISTORY_KEPT = 200;

const $ = (sel) => document.querySelector(sel);
const num = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const int = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

const state = {
  stats: null,
  statsAt: 0,
  health: new Map(),
  names: new Map(),
  active: new Map(),
  history: new Map(),
  silences: [],
  executions: [],
  logOf: null,
  clientsOffset: 0,
  clientsTotal: 0,
  clientsType: '',
  bridgeOpen: false,
  closedAt: 0,
  firstData: false,
  chartsOf: 'cluster',
  nodesQuery: false,
};

const cluster = { messagesPerSecond: new Rolling(), p99: new Rolling(), errors: new Rolling(), connections: new Rolling() };
const perNode = { messagesPerSecond: new Rolling(), p99: new Rolling(), errors: new Rolling(), connections: new Rolling() };
const charts = {};

function text(el, value) {
  if (el.textContent !== value) {
    el.textContent = value;
  }
}

function cell(tr, value, cls) {
  const td = document.createElement('td');
  if (value instanceof Node) {
    td.append(value);
  } else {
    td.textContent = value == null ? '–' : String(value);
  }
  if (cls) {
    td.className = cls;
  }
  tr.append(td);
  return td;
}

function badge(value) {
  const span = document.createElement('span');
  span.className = `badge ${value}`;
  span.textContent = value;
  return span;
}

function path(obj, p) {
  return p.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function ago(ms) {
  if (ms < 0) {
    ms = 0;
  }
  if (ms < 10000) {
    return `${(ms / 1000).toFixed(1)} s ago`;
  }
  if (ms < 3600000) {
    return `${Math.round(ms / 1000)} s ago`;
  }
  return `${(ms / 3600000).toFixed(1)} h ago`;
}

function time(ms) {
  return ms ? new Date(ms).toLocaleTimeString('en-GB') : '–';
}

function bytes(n) {
  return n == null ? '–' : `${num.format(n / 1048576)} MiB`;
}

function labels(l) {
  return Object.entries(l || {}).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(' ');
}

function nodeName(nodeId) {
  return state.names.get(nodeId) || (nodeId ? nodeId.slice(0, 8) : '–');
}

// ---- connection state ----------------------------------------------------------------------------------------

function setState() {
  const silent = state.statsAt > 0 && Date.now() - state.statsAt > STATS_SILENT_MS;
  const s = !state.bridgeOpen ? (state.closedAt ? 'stale' : 'connecting') : silent ? 'stale' : 'live';
  document.body.dataset.state = s;
  const c = $('#connection');
  c.dataset.state = s;
  text(c, s === 'live' ? 'live' : s === 'connecting' ? 'connecting…'
    : state.bridgeOpen ? `stale: no cluster stats for ${Math.round((Date.now() - state.statsAt) / 1000)} s` : 'stale: bridge down, reconnecting');
  const banner = $('#stale-banner');
  banner.hidden = s !== 'stale';
  text($('#stale-since'), state.statsAt ? time(state.statsAt) : 'before the page loaded');
}

// ---- totals, nodes, charts -----------------------------------------------------------------------------------

function renderTotals(s) {
  for (const el of document.querySelectorAll('[data-total]')) {
    const key = el.dataset.total;
    const v = path(s, key);
    el.dataset.value = v == null ? '' : String(v);
    let shown;
    if (v == null) {
      shown = '–';
    } else if (key === 'errorRate') {
      shown = `${num.format(v * 100)} %`;
    } else if (key === 'window') {
      shown = `${int.format(v / 1000)} s`;
    } else {
      shown = Number.isInteger(v) ? int.format(v) : num.format(v);
    }
    text(el, shown);
  }
  if (!state.firstData) {
    state.firstData = true;
    document.body.dataset.firstDataMs = String(Math.round(performance.now()));
  }
  document.body.dataset.statsTimestamp = String(s.timestamp);
}

function renderNodes() {
  const s = state.stats;
  const body = $('#nodes tbody');
  const rows = [];
  const now = Date.now();
  for (const n of (s && s.perNode) || []) {
    const h = state.health.get(n.nodeId);
    rows.push({
      name: n.name, roles: (n.roles || []).join(', '), state: n.stale ? 'stale' : 'up', health: h ? h.status : null,
      connections: `${int.format(n.activeConnections)} / ${int.format(n.maxConnections)}`,
      heap: `${bytes(n.heapUsed)} of ${bytes(n.heapMax)}`, last: ago(now - n.lastReportAt),
    });
  }
  for (const d of (s && s.downNodes) || []) {
    rows.push({ name: d.name, roles: '', state: 'down', health: d.reason, connections: '–', heap: '–', last: `down ${ago(now - d.since)}` });
  }
  body.replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.node = r.name;
    tr.dataset.state = r.state;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = r.name;
    tr.append(th);
    cell(tr, r.roles);
    cell(tr, badge(r.state));
    cell(tr, r.health ? badge(r.health) : '–');
    cell(tr, r.connections, 'num');
    cell(tr, r.heap, 'num');
    cell(tr, r.last);
    return tr;
  }));
}

function recordCluster(s) {
  const t = s.timestamp / 1000;
  cluster.messagesPerSecond.push(t, { cluster: s.messagesPerSecond });
  cluster.p99.push(t, { cluster: s.latency ? s.latency.p99 : null });
  cluster.errors.push(t, { cluster: s.errorsInWindow });
  cluster.connections.push(t, { cluster: s.activeConnections });
}

function recordNodes(reply) {
  const t = reply.timestamp / 1000;
  const mps = {};
  const p99 = {};
  const errors = {};
  const conns = {};
  for (const n of reply.nodes || []) {
    if (n.stale) {
      continue;
    }
    const w = n.window || {};
    mps[n.name] = w.messagesPerSecond;
    p99[n.name] = w.latency ? w.latency.p99 : null;
    errors[n.name] = w.errors;
    conns[n.name] = n.gauges ? n.gauges.activeConnections : null;
  }
  perNode.messagesPerSecond.push(t, mps);
  perNode.p99.push(t, p99);
  perNode.errors.push(t, errors);
  perNode.connections.push(t, conns);
}

function drawCharts() {
  const source = state.chartsOf === 'cluster' ? cluster : perNode;
  for (const [key, chart] of Object.entries(charts)) {
    chart.draw(source[key]);
  }
}

function askNodes() {
  if (state.nodesQuery || document.visibilityState !== 'visible') {
    return;
  }
  state.nodesQuery = true;
  bridge.request(STATS_QUERY, { scope: 'nodes' })
    .then((reply) => {
      recordNodes(reply);
      if (state.chartsOf === 'nodes') {
        drawCharts();
      }
    })
    .catch(() => {})
    .finally(() => { state.nodesQuery = false; });
}

function onStats(s) {
  if (state.stats && s.timestamp <= state.stats.timestamp && state.bridgeOpen && Date.now() - state.statsAt < STATS_SILENT_MS) {
    return;
  }
  state.stats = s;
  state.statsAt = Date.now();
  for (const n of s.perNode || []) {
    state.names.set(n.nodeId, n.name);
  }
  for (const d of s.downNodes || []) {
    state.names.set(d.nodeId, d.name);
  }
  setState();
  renderTotals(s);
  renderNodes();
  recordCluster(s);
  drawCharts();
  askNodes();
}

function onHealth(view) {
  state.health.clear();
  for (const n of view.nodes || []) {
    state.health.set(n.nodeId, n);
  }
  renderNodes();
}

// ---- alerts -----------------------------------------------------------------------------------------------------

function episode(e) {
  return `${e.fingerprint}/${e.startsAt}`;
}

function onAlert(e) {
  if (e.state === 'firing') {
    state.active.set(e.fingerprint, { ...e, shownAt: Date.now() });
  } else {
    state.active.delete(e.fingerprint);
  }
  state.history.set(episode(e), e);
  pruneHistory();
  renderAlerts();
}

function pruneHistory() {
  if (state.history.size > HISTORY_KEPT) {
    const oldest = [...state.history.entries()].sort((a, b) => a[1].startsAt - b[1].startsAt);
    for (const [key] of oldest.slice(0, state.history.size - HISTORY_KEPT)) {
      state.history.delete(key);
    }
  }
}

function renderAlerts() {
  const rows = [...state.active.values()].sort((a, b) => a.startsAt - b.startsAt).map((a) => {
    const tr = document.createElement('tr');
    tr.dataset.rule = a.rule;
    tr.dataset.alertId = a.id;
    tr.dataset.timestamp = String(a.timestamp);
    if (a.shownAt) {
      tr.dataset.shownAt = String(a.shownAt);
    }
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = a.rule;
    tr.append(th);
    cell(tr, badge(a.severity));
    cell(tr, a.silenced ? badge('silenced') : badge(a.state));
    cell(tr, a.value == null ? 'n/a' : num.format(a.value), 'num');
    cell(tr, labels(a.labels));
    cell(tr, `${time(a.startsAt)} (${ago(Date.now() - a.startsAt)})`);
    return tr;
  });
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    const td = cell(tr, 'No alert is firing.');
    td.colSpan = 6;
    rows.push(tr);
  }
  $('#alerts tbody').replaceChildren(...rows);
  const history = [...state.history.values()].sort((a, b) => b.startsAt - a.startsAt).slice(0, 100).map((e) => {
    const tr = document.createElement('tr');
    cell(tr, e.rule);
    cell(tr, badge(e.state));
    cell(tr, e.value == null ? 'n/a' : num.format(e.value), 'num');
    cell(tr, labels(e.labels));
    cell(tr, time(e.startsAt));
    cell(tr, time(e.endsAt));
    return tr;
  });
  $('#alert-history tbody').replaceChildren(...history);
}

function renderSilences() {
  const rows = state.silences.map((s) => {
    const tr = document.createElement('tr');
    cell(tr, (s.matchers || []).map((m) => `${m.name}${m.isRegex ? '=~' : '='}${m.value}`).join(', '));
    cell(tr, badge(s.status || ''));
    cell(tr, s.endsAt ? new Date(s.endsAt).toLocaleString('en-GB') : '–');
    cell(tr, s.comment || '');
    return tr;
  });
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    cell(tr, 'No silence.').colSpan = 4;
    rows.push(tr);
  }
  $('#silences tbody').replaceChildren(...rows);
}

// ---- executions -------------------------------------------------------------------------------------------------

let monitor = null;

function onHubEvent(e) {
  if (e.type === 'toolCall') {
    state.executions.unshift({
      id: e.executionId, tool: e.toolName, session: e.sessionId, clientNode: e.nodeId, providerNode: null,
      status: 'PENDING', durationMs: null, at: e.timestamp, log: [],
    });
    while (state.executions.length > EXECUTIONS_SHOWN) {
      const gone = state.executions.pop();
      if (monitor) {
        monitor.unwatch(gone.id);
      }
    }
    if (monitor) {
      monitor.watch(e.executionId);
    }
    scheduleExecutions();
  } else if (e.type === 'handshake' || e.type === 'disconnect') {
    scheduleClients();
  }
}

function onMonitorFrame(f) {
  if (f.type === 'error') {
    text($('#executions-note'), `The monitor stream said: ${f.data && f.data.message}`);
    return;
  }
  const x = f.executionId && state.executions.find((e) => e.id === f.executionId);
  if (!x) {
    return;
  }
  if (f.type === 'status') {
    x.status = f.data.status;
    x.durationMs = f.data.durationMs;
    x.providerNode = f.data.providerNode || x.providerNode;
  } else if (f.type === 'metrics') {
    x.durationMs = f.data.durationMs;
  } else if (f.type === 'log') {
    x.log.push({ at: f.timestamp, ...f.data });
    if (x.log.length > LOG_LINES_KEPT) {
      x.log.shift();
    }
  }
  scheduleExecutions();
}

let executionsTimer = null;

/** The feed is drawn at most every EXECUTIONS_RENDER_MS, however many frames arrive in between. */
function scheduleExecutions() {
  if (!executionsTimer) {
    executionsTimer = setTimeout(() => {
      executionsTimer = null;
      renderExecutions();
    }, EXECUTIONS_RENDER_MS);
  }
}

function renderExecutions() {
  const rows = state.executions.map((x) => {
    const tr = document.createElement('tr');
    tr.dataset.executionId = x.id;
    tr.dataset.status = x.status;
    cell(tr, time(x.at));
    cell(tr, x.tool);
    cell(tr, x.session ? x.session.slice(0, 8) : '–');
    cell(tr, nodeName(x.clientNode));
    cell(tr, x.providerNode ? nodeName(x.providerNode) : '–');
    cell(tr, badge(x.status));
    cell(tr, x.durationMs == null ? '–' : `${int.format(x.durationMs)} ms`, 'num');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = 'Log';
    b.setAttribute('aria-label', `Show the log of execution ${x.id} (${x.tool})`);
    b.addEventListener('click', () => showLog(x.id));
    cell(tr, b);
    return tr;
  });
  $('#executions tbody').replaceChildren(...rows);
  renderLog();
}

function showLog(id) {
  state.logOf = id;
  if (monitor) {
    monitor.watch(id);
  }
  $('#execution-log').hidden = false;
  renderLog();
  $('#execution-log-close').focus();
}

function renderLog() {
  const x = state.logOf && state.executions.find((e) => e.id === state.logOf);
  if (!x) {
    return;
  }
  text($('#execution-log-id'), `${x.tool} ${x.id}`);
  const lines = x.log.map((l) => {
    const li = document.createElement('li');
    li.textContent = `${time(l.at)} ${l.direction === 'in' ? '→' : '←'} ${l.type}${l.bytes != null ? ` (${l.bytes} B)` : ''}`;
    return li;
  });
  if (lines.length === 0) {
    const li = document.createElement('li');
    li.textContent = monitor ? 'No frame seen yet.' : 'Execution logs need a hub node (/ws).';
    lines.push(li);
  }
  $('#execution-log-lines').replaceChildren(...lines);
}

// ---- clients ----------------------------------------------------------------------------------------------------

let clientsTimer = null;

function scheduleClients() {
  if (!clientsTimer) {
    clientsTimer = setTimeout(() => {
      clientsTimer = null;
      loadClients();
    }, 1000);
  }
}

function loadClients() {
  const q = { scope: 'clients', limit: CLIENTS_PAGE, offset: state.clientsOffset };
  if (state.clientsType) {
    q.type = state.clientsType;
  }
  return bridge.request(STATS_QUERY, q).then((reply) => {
    state.clientsTotal = reply.total || 0;
    const rows = (reply.clients || []).map((c) => {
      const tr = document.createElement('tr');
      tr.dataset.clientId = c.client_id;
      cell(tr, c.client_id);
      cell(tr, c.type);
      cell(tr, c.platform || '–');
      cell(tr, nodeName(c.node));
      cell(tr, (c.tools || []).join(', ') || '–');
      cell(tr, time(c.connected_at));
      return tr;
    });
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      cell(tr, 'None connected.').colSpan = 6;
      rows.push(tr);
    }
    $('#clients tbody').replaceChildren(...rows);
    const last = Math.min(state.clientsOffset + CLIENTS_PAGE, state.clientsTotal);
    text($('#clients-page'), state.clientsTotal === 0 ? '0 of 0'
      : `${state.clientsOffset + 1}–${last} of ${state.clientsTotal}${reply.partial ? ' (some hub nodes did not answer)' : ''}`);
    $('#clients-prev').disabled = state.clientsOffset === 0;
    $('#clients-next').disabled = last >= state.clientsTotal;
  }).catch(() => {});
}

// ---- wiring -----------------------------------------------------------------------------------------------------

function loadInitial() {
  bridge.request(STATS_QUERY, { scope: 'cluster' }).then((s) => {
    if (!state.stats || s.timestamp > state.stats.timestamp) {
      onStats(s);
    }
  }).catch(() => {});
  bridge.request(ALERTS_QUERY, { what: 'active' }).then((r) => {
    state.active.clear();
    for (const a of r.items || []) {
      state.active.set(a.fingerprint, a);
    }
    renderAlerts();
  }).catch(() => {});
  bridge.request(ALERTS_QUERY, { what: 'history' }).then((r) => {
    for (const e of r.items || []) {
      state.history.set(episode(e), e);
    }
    pruneHistory();
    renderAlerts();
  }).catch(() => {});
  bridge.request(ALERTS_QUERY, { what: 'silences' }).then((r) => {
    state.silences = r.items || [];
    renderSilences();
  }).catch(() => {});
  loadClients();
}

const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
const bridge = new Bridge(`${scheme}://${location.host}/eventbus/websocket`, {
  open() {
    state.bridgeOpen = true;
    setState();
    loadInitial();
  },
  close(wasOpen) {
    state.bridgeOpen = false;
    if (wasOpen || !state.closedAt) {
      state.closedAt = Date.now();
    }
    setState();
  },
  refused() {},
});
bridge.on(STATS, onStats).on(ALERTS, onAlert).on(HEALTH, onHealth).on(EVENTS, onHubEvent);

function setup() {
  for (const el of document.querySelectorAll('[data-chart]')) {
    const key = el.dataset.chart;
    const titles = { messagesPerSecond: ['Messages/s', '/s'], p99: ['Latency p99', 'ms'], errors: ['Errors in window', 'errors'], connections: ['Connections', 'open'] };
    charts[key] = new Chart(el, titles[key][0], titles[key][1]);
  }
  const tab = (which) => {
    state.chartsOf = which;
    $('#charts-cluster').setAttribute('aria-pressed', String(which === 'cluster'));
    $('#charts-nodes').setAttribute('aria-pressed', String(which === 'nodes'));
    drawCharts();
  };
  $('#charts-cluster').addEventListener('click', () => tab('cluster'));
  $('#charts-nodes').addEventListener('click', () => tab('nodes'));
  $('#execution-log-close').addEventListener('click', () => {
    state.logOf = null;
    $('#execution-log').hidden = true;
  });
  $('#clients-prev').addEventListener('click', () => {
    state.clientsOffset = Math.max(0, state.clientsOffset - CLIENTS_PAGE);
    loadClients();
  });
  $('#clients-next').addEventListener('click', () => {
    state.clientsOffset += CLIENTS_PAGE;
    loadClients();
  });
  $('#clients-type').addEventListener('change', (e) => {
    state.clientsType = e.target.value;
    state.clientsOffset = 0;
    loadClients();
  });
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => Object.values(charts).forEach((c) => c.resize()), 150);
  });
  setInterval(() => {
    setState();
    renderNodes();
    renderAlerts();
  }, 1000);
  renderAlerts();
  renderSilences();
  fetch('/health').then((r) => r.json()).then((h) => {
    text($('#served-by'), `served by ${h.nodeName} (${(h.roles || []).join(', ')})`);
    if ((h.roles || []).includes('hub')) {
      monitor = new Monitor(`${scheme}://${location.host}/ws`, onMonitorFrame, () => {});
      for (const x of state.executions) {
        monitor.watch(x.id);
      }
    } else {
      text($('#executions-note'), 'This node runs no hub: tool calls are listed without their status and log (open the dashboard of a hub node for them).');
    }
  }).catch(() => {});
  setState();
  bridge.connect();
}

setup();
