// app.js: steady's live telemetry dashboard.
//
// Every refresh it fetches graph.dot (DOT text) and snapshot.json (the figures), lays the graph
// out in the browser with @viz-js/viz when the server embeds it (else it shows the DOT text),
// and updates the header, the hover panel, the selection's charts and the lints. When the server
// stops answering it keeps the last frame and says "Snapshot at <time>".

import * as f from './fmt.js';
import { Series, combine, drawChart } from './chart.js';
import { PanZoom } from './view.js';

const $ = (id) => document.getElementById(id);
const HISTORY = 300;
const LINTS = {
  starves_troupe: 'did not yield for over a frame: its troupe mates starve',
  polling: 'woken repeatedly with nothing to do: wait on a channel or a timer instead',
  lost_wakeup: 'its input stayed full for a window while it idled (a lost wake-up?)',
  restart_loop: 'restarting in a loop',
};
const COLORS = { none: '#9aa3ad', ok: '#34c759', yellow: '#ffd60a', orange: '#ff9f0a', red: '#ff453a' };

const st = {
  cfg: { v: 1, frame_ms: 100, refresh_rate_ms: 100, window_s: 12.8, have_viz: true },
  viz: null,           // the Viz instance, or null (then the DOT text is shown)
  vizTried: false,
  dot: '',             // DOT text of the frame on screen
  svg: null,           // the SVG on screen (decorated)
  pristine: null,      // the same SVG as Graphviz produced it (for the download)
  snap: null,          // the last snapshot.json (or null)
  actorsById: new Map(),
  actorsByLabel: new Map(),
  chansById: new Map(),
  live: false,
  everLive: false,
  lastOkMs: 0,
  refreshMs: 1000,
  timer: 0,
  busy: false,
  lastSeq: null,
  selected: null,      // {kind: 'actor'|'channel'|'graph', key, ids}
  hover: null,         // {kind, key, ids, dotTip, x, y}
  hist: { actors: new Map(), chans: new Map(), total: new Series(HISTORY) },
};

let pz = null;

// ---------------------------------------------------------------------------------------------
// fetching

async function get(path, kind) {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) {
    const e = new Error(`${path}: HTTP ${res.status}`);
    e.status = res.status;
    throw e;
  }
  return kind === 'json' ? res.json() : res.text();
}

async function loadConfig() {
  try {
    const c = await get('config', 'json');
    if (c && typeof c === 'object') Object.assign(st.cfg, c);
  } catch (e) {
    status(`no /config (${e.message}): defaults used`);
  }
  const colors = Array.isArray(st.cfg.telemetry_colors) ? st.cfg.telemetry_colors : [];
  const safe = colors.filter((c) => typeof c === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(c));
  if (safe.length) {
    $('strip').style.background = safe.length > 1 ? `linear-gradient(90deg, ${safe.join(', ')})` : safe[0];
  }
}

function loadViz() {
  if (st.vizTried) return Promise.resolve(st.viz);
  st.vizTried = true;
  if (st.cfg.have_viz === false) return Promise.resolve(null);
  return new Promise((resolve) => {
    const s = document.createElement('script');
    s.src = 'viz/viz-standalone.js';
    s.async = true;
    s.onload = async () => {
      try {
        st.viz = await window.Viz.instance();
      } catch (e) {
        status(`layout engine failed to start (${e.message}): showing the DOT text`);
        st.viz = null;
      }
      resolve(st.viz);
    };
    s.onerror = () => {
      status('layout engine not available: showing the DOT text');
      resolve(null);
    };
    document.head.append(s);
  });
}

// ---------------------------------------------------------------------------------------------
// the refresh loop

function schedule() {
  clearTimeout(st.timer);
  st.timer = 0;
  if (st.refreshMs > 0) {
    // After a failure, ask again at most once a second.
    const ms = st.live ? st.refreshMs : Math.max(st.refreshMs, 1000);
    st.timer = setTimeout(tick, ms);
  }
}

async function tick() {
  if (st.busy) return;
  st.busy = true;
  try {
    const [dot, snap] = await Promise.all([
      get('graph.dot', 'text'),
      get('snapshot.json', 'json').catch((e) => {
        if (e.status === undefined) throw e; // the server is gone: a failure of the whole frame
        return null;                         // an HTTP error: the graph without the figures
      }),
    ]);
    ingest(snap);
    render(dot);
    setLive(true);
  } catch (e) {
    setLive(false, e);
  } finally {
    st.busy = false;
    schedule();
  }
}

function setLive(ok, err) {
  if (ok) {
    st.live = true;
    st.everLive = true;
    st.lastOkMs = Date.now();
    setTitle('Live Telemetry');
    $('topbar').classList.remove('stale');
    status('');
    return;
  }
  st.live = false;
  if (!st.everLive) {
    // Nothing shown yet (a 503 before the first frame, or no server): keep "Loading…".
    status(err && err.status === 503 ? 'waiting for the first frame…' : `no answer: ${err ? err.message : ''}`);
    return;
  }
  const when = st.snap && f.isNum(st.snap.unix_ms) ? new Date(st.snap.unix_ms) : new Date(st.lastOkMs);
  setTitle(`Snapshot at ${f.localIso(when)}`);
  $('topbar').classList.add('stale');
  status(`the server stopped answering (${err ? err.message : 'error'}); retrying`);
}

function setTitle(t) {
  $('title').textContent = t;
  const name = st.snap && st.snap.graph && st.snap.graph.name ? st.snap.graph.name : st.cfg.graph;
  document.title = name ? `${t} · ${name}` : t;
}

function status(msg) {
  $('status').textContent = msg;
}

// ---------------------------------------------------------------------------------------------
// the snapshot: indexes and history

function arr(x) {
  return Array.isArray(x) ? x : [];
}

function seriesOf(map, id, names) {
  let h = map.get(id);
  if (!h) {
    h = {};
    for (const n of names) h[n] = new Series(HISTORY);
    map.set(id, h);
  }
  return h;
}

function ingest(snap) {
  if (!snap || typeof snap !== 'object') return; // keep the last figures
  st.snap = snap;
  st.actorsById = new Map();
  st.actorsByLabel = new Map();
  st.chansById = new Map();
  for (const a of arr(snap.actors)) {
    if (!a || a.id === undefined) continue;
    st.actorsById.set(a.id, a);
    st.actorsByLabel.set(String(a.label ?? a.name ?? a.id), a);
  }
  for (const c of arr(snap.channels)) {
    if (c && c.id !== undefined) st.chansById.set(c.id, c);
  }
  if (snap.seq !== undefined && snap.seq === st.lastSeq) return; // same frame: no new sample
  st.lastSeq = snap.seq;
  const t = f.isNum(snap.unix_ms) ? snap.unix_ms : Date.now();
  for (const a of st.actorsById.values()) {
    const h = seriesOf(st.hist.actors, a.id, ['mcpu', 'load', 'rate']);
    h.mcpu.push(t, a.mcpu);
    h.load.push(t, a.load);
    let out = null;
    for (const c of st.chansById.values()) {
      if (c.from === a.id && f.isNum(c.rate)) out = (out ?? 0) + c.rate;
    }
    h.rate.push(t, out);
  }
  for (const c of st.chansById.values()) {
    const h = seriesOf(st.hist.chans, c.id, ['rate', 'fill', 'latency']);
    h.rate.push(t, c.rate);
    h.fill.push(t, f.isNum(c.fill) ? c.fill * 100 : null);
    h.latency.push(t, f.isNum(c.latency_s) && c.latency_s >= 0 ? c.latency_s : null);
  }
  let total = snap.total_rate;
  if (!f.isNum(total)) {
    total = 0;
    for (const c of st.chansById.values()) if (f.isNum(c.rate)) total += c.rate;
  }
  st.hist.total.push(t, total);
}

function actorName(id) {
  if (id === null || id === undefined) return null;
  const a = st.actorsById.get(id);
  return a ? String(a.label ?? a.name ?? id) : `#${id}`;
}

function chanName(id) {
  const c = st.chansById.get(id);
  return c ? String(c.name ?? `#${id}`) : `#${id}`;
}

// ---------------------------------------------------------------------------------------------
// rendering the graph

function render(dot) {
  st.dot = dot;
  $('stage-msg').hidden = true;
  if (!st.viz) {
    const pre = $('dot-text');
    pre.hidden = false;
    pre.textContent = dot;
    $('content').hidden = true;
    if (!$('stage').classList.contains('text')) {
      $('stage').classList.add('text');
      for (const id of ['zoom-in', 'zoom-out', 'zoom-fit', 'dl-svg']) {
        $(id).disabled = true;
        $(id).title = 'Needs the layout engine, which this build does not embed';
      }
      $('stage').append(f.el('div', { class: 'stage-note' },
        'The layout engine (@viz-js/viz) is not embedded in this build: the graph is shown as DOT text. ',
        'Paste it into any Graphviz viewer, or rebuild with npm available.'));
    }
    updatePanels();
    return;
  }
  let svg;
  try {
    svg = st.viz.renderSVGElement(dot);
  } catch (e) {
    status(`the DOT text of this frame could not be laid out: ${e.message}`);
    updatePanels();
    return;
  }
  st.pristine = svg.cloneNode(true);
  decorate(svg);
  const content = $('content');
  content.replaceChildren(svg);
  st.svg = svg;
  const vb = svg.viewBox && svg.viewBox.baseVal;
  const w = vb && vb.width ? vb.width : parseFloat(svg.getAttribute('width')) || 100;
  const h = vb && vb.height ? vb.height : parseFloat(svg.getAttribute('height')) || 100;
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(h));
  pz.setSize(w, h);
  updatePanels();
}

// Ties the SVG's nodes and edges to the snapshot's actors and channels, moves the Graphviz
// tooltips (which the browser would show as plain tooltips) into data attributes for the hover
// panel, widens the edges' hover area and marks the bottleneck and the selection.
function decorate(svg) {
  const bn = st.snap && st.snap.bottleneck ? st.snap.bottleneck : {};
  for (const t of svg.querySelectorAll('title')) {
    const g = t.parentNode;
    if (g && g.classList && (g.classList.contains('node') || g.classList.contains('edge'))) {
      g.dataset.name = t.textContent;
    }
    t.remove();
  }
  for (const a of svg.querySelectorAll('a')) {
    const tip = a.getAttribute('xlink:title') || a.getAttribute('title');
    const g = a.closest('g.node, g.edge');
    if (tip && g && !g.dataset.tip) g.dataset.tip = tip;
    a.removeAttribute('xlink:title');
    a.removeAttribute('title');
    a.removeAttribute('xlink:href');
    a.removeAttribute('href');
  }

  for (const g of svg.querySelectorAll('g.node')) {
    let actor = null;
    const m = /^(?:a|actor)(\d+)$/.exec(g.id || '');
    if (m) actor = st.actorsById.get(Number(m[1])) || null;
    if (!actor) actor = st.actorsByLabel.get(g.dataset.name || '') || null;
    g.dataset.kind = 'actor';
    g.dataset.key = 'a:' + (actor ? String(actor.label ?? actor.id) : g.dataset.name);
    if (actor) g.dataset.ids = String(actor.id);
    const isBn = actor && (actor.bottleneck === true || (bn.actor !== null && bn.actor !== undefined && bn.actor === actor.id));
    g.classList.toggle('tm-bottleneck', !!isBn);
  }

  // Edges: by an explicit id (id="ch3" in the DOT) if there is one, else by the pair of node
  // names, in order (a pair with several channels and one edge is a bundle drawn as one).
  const byPair = new Map();
  for (const c of st.chansById.values()) {
    const from = actorName(c.from), to = actorName(c.to);
    if (from === null || to === null) continue;
    const k = `${from}->${to}`;
    if (!byPair.has(k)) byPair.set(k, []);
    byPair.get(k).push(c);
  }
  for (const l of byPair.values()) l.sort((a, b) => a.id - b.id);
  const edgesByPair = new Map();
  for (const g of svg.querySelectorAll('g.edge')) {
    g.dataset.kind = 'channel';
    const m = /^(?:c|ch|chan)(\d+)$/.exec(g.id || '');
    if (m && st.chansById.has(Number(m[1]))) {
      g.dataset.ids = m[1];
      continue;
    }
    const k = g.dataset.name || '';
    if (!edgesByPair.has(k)) edgesByPair.set(k, []);
    edgesByPair.get(k).push(g);
  }
  for (const [k, edges] of edgesByPair) {
    const chans = byPair.get(k) || [];
    edges.forEach((g, i) => {
      let mine;
      if (!chans.length) mine = [];
      else if (edges.length === 1) mine = chans;
      else if (i < edges.length - 1) mine = chans[i] ? [chans[i]] : [];
      else mine = chans.slice(i);
      if (mine.length) g.dataset.ids = mine.map((c) => c.id).join(',');
      else g.dataset.unmatched = `${k}#${i}`;
    });
  }
  for (const g of svg.querySelectorAll('g.edge')) {
    g.dataset.key = g.dataset.ids ? 'c:' + g.dataset.ids : 'e:' + (g.dataset.unmatched || g.dataset.name);
    const ids = idsOf(g);
    const chans = ids.map((id) => st.chansById.get(id)).filter(Boolean);
    const isBp = chans.some((c) => c.backpressure === true || (bn.channel !== null && bn.channel !== undefined && bn.channel === c.id));
    g.classList.toggle('tm-backpressure', isBp);
    const p = g.querySelector('path');
    if (p) {
      const hit = p.cloneNode(false);
      hit.setAttribute('class', 'hit');
      hit.removeAttribute('stroke-dasharray');
      g.insertBefore(hit, g.firstChild);
    }
  }
  markSelection(svg);
}

function idsOf(g) {
  return (g.dataset.ids || '').split(',').filter((s) => s !== '').map(Number);
}

function markSelection(svg) {
  if (!svg) return;
  for (const g of svg.querySelectorAll('g.node, g.edge')) {
    g.classList.toggle('tm-selected', !!st.selected && g.dataset.key === st.selected.key);
  }
}

// ---------------------------------------------------------------------------------------------
// header, side panel, hover panel

function updatePanels() {
  const s = st.snap || {};
  const graph = s.graph || {};
  $('graph-name').textContent = graph.name || st.cfg.graph || '';
  const state = graph.state ? String(graph.state) : '';
  $('graph-state').textContent = state;
  $('graph-state').hidden = !state;
  $('graph-state').dataset.state = state.toLowerCase();

  const bn = s.bottleneck || {};
  const bnA = bn.actor !== null && bn.actor !== undefined ? actorName(bn.actor) : null;
  const bnC = bn.channel !== null && bn.channel !== undefined ? chanName(bn.channel) : null;
  const bEl = $('bottleneck');
  bEl.replaceChildren('Bottleneck: ');
  if (bnA) {
    bEl.append(f.el('b', { class: 'bn' }, bnA));
    if (bnC) bEl.append(` (back-pressure from ${bnC})`);
  } else if (bnC) {
    bEl.append('back-pressure from ', f.el('b', { class: 'bn' }, bnC));
  } else {
    bEl.append(f.el('span', { class: 'muted' }, 'none'));
  }
  bEl.classList.toggle('has', !!(bnA || bnC));

  const total = st.hist.total.last();
  $('total-rate').replaceChildren('Total rate: ', f.el('b', null, f.isNum(s.total_rate) ? f.rate(s.total_rate) : f.rate(total)));
  const parts = [];
  if (s.seq !== undefined) parts.push(`frame ${s.seq}`);
  if (f.isNum(s.frame_ms ?? st.cfg.frame_ms)) parts.push(`${s.frame_ms ?? st.cfg.frame_ms} ms frames`);
  if (f.isNum(s.window_s ?? st.cfg.window_s)) parts.push(`window ${s.window_s ?? st.cfg.window_s} s`);
  if (f.isNum(s.unix_ms)) parts.push(new Date(s.unix_ms).toLocaleTimeString());
  $('frame-info').textContent = parts.join(' · ');

  updateLints();
  updateLists();
  updateSelection();
  updateHover();
  markSelection(st.svg);
}

function colorDot(c) {
  const col = COLORS[c] || null;
  return col ? f.el('span', { class: 'swatch', style: `background:${col}`, title: `colour: ${c}` }) : null;
}

function lintText(l) {
  const k = String(l).toLowerCase().replace(/[- ]/g, '_');
  return LINTS[k] ? `${l}: ${LINTS[k]}` : String(l);
}

function updateLints() {
  const ul = $('lints');
  const items = [];
  for (const a of st.actorsById.values()) {
    for (const l of arr(a.lints)) {
      items.push(f.el('li', { class: 'clickable', dataset: { key: 'a:' + (a.label ?? a.id), ids: String(a.id), kind: 'actor' } },
        f.el('b', null, String(a.label ?? a.id)), ' ', lintText(l)));
    }
  }
  if (!items.length) items.push(f.el('li', { class: 'muted' }, 'None raised.'));
  ul.replaceChildren(...items);
}

function updateLists() {
  const box = $('lists');
  const rows = [];
  const at = f.el('table', { class: 'list' },
    f.el('tr', null, f.el('th', null, 'actor'), f.el('th', null, 'mCPU'), f.el('th', null, 'load'), f.el('th', null, 'restarts')));
  for (const a of st.actorsById.values()) {
    at.append(f.el('tr', { class: 'clickable' + (st.selected && st.selected.key === 'a:' + (a.label ?? a.id) ? ' sel' : ''), dataset: { key: 'a:' + (a.label ?? a.id), ids: String(a.id), kind: 'actor' } },
      f.el('td', null, colorDot(a.color), String(a.label ?? a.id), a.bottleneck || (st.snap.bottleneck && st.snap.bottleneck.actor === a.id) ? f.el('span', { class: 'tag' }, 'bottleneck') : null),
      f.el('td', { class: 'num' }, f.mcpu(a.mcpu)), f.el('td', { class: 'num' }, f.pct(a.load)),
      f.el('td', { class: 'num' }, f.int(a.regeneration))));
  }
  const ct = f.el('table', { class: 'list' },
    f.el('tr', null, f.el('th', null, 'channel'), f.el('th', null, 'rate'), f.el('th', null, 'fill'), f.el('th', null, 'latency')));
  for (const c of st.chansById.values()) {
    const key = channelKeyFor(c.id);
    ct.append(f.el('tr', { class: 'clickable' + (st.selected && st.selected.key === key ? ' sel' : ''), dataset: { key, ids: String(c.id), kind: 'channel' } },
      f.el('td', null, colorDot(c.color), String(c.name ?? c.id), c.backpressure ? f.el('span', { class: 'tag' }, 'back-pressure') : null),
      f.el('td', { class: 'num' }, f.rate(c.rate)), f.el('td', { class: 'num' }, f.pct01(c.fill)),
      f.el('td', { class: 'num' }, f.seconds(c.latency_s))));
  }
  if (st.actorsById.size) rows.push(at);
  if (st.chansById.size) rows.push(ct);
  if (!rows.length) rows.push(f.el('p', { class: 'muted' }, 'No figures (snapshot.json not available).'));
  box.replaceChildren(...rows);
}

// The key of the SVG edge that shows channel `id` (so a list click selects the same thing as a
// click on the graph), else a key of its own.
function channelKeyFor(id) {
  if (st.svg) {
    for (const g of st.svg.querySelectorAll('g.edge')) {
      if (idsOf(g).includes(id)) return g.dataset.key;
    }
  }
  return 'c:' + id;
}

function statsTable(rows) {
  // rows: [label, statsObject, fmt]
  const cols = ['avg', 'p50', 'p90', 'p99', 'max'];
  const t = f.el('table', { class: 'stats' }, f.el('tr', null, f.el('th', null, ''), cols.map((c) => f.el('th', null, c))));
  let any = false;
  for (const [label, s, fmt] of rows) {
    if (!s || typeof s !== 'object' || !s.n) continue;
    any = true;
    t.append(f.el('tr', null, f.el('th', null, label), cols.map((c) => f.el('td', null, f.isNum(s[c]) ? fmt(s[c]) : '–'))));
  }
  return any ? t : f.el('p', { class: 'muted small' }, 'Window statistics: not yet (the first window has not elapsed).');
}

function kv(pairs) {
  const dl = f.el('dl', { class: 'kv' });
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === '') continue;
    dl.append(f.el('dt', null, k), f.el('dd', null, v));
  }
  return dl;
}

function describeActor(a) {
  const st_ = a.stats || {};
  const lints = arr(a.lints);
  const placement = [a.placement, a.troupe !== undefined && a.placement === 'member' ? `troupe ${a.troupe}` : null].filter(Boolean).join(', ');
  return [
    kv([
      ['placement', placement],
      ['pid / tid', a.pid !== undefined || a.tid !== undefined ? `${a.pid ?? '–'} / ${a.tid ?? '–'}` : null],
      ['core', a.core !== undefined && a.core !== null && a.core >= 0 ? String(a.core) : null],
      ['phase', a.phase],
      ['mCPU', f.mcpu(a.mcpu)],
      ['load', f.pct(a.load)],
      ['restarts', f.int(a.regeneration)],
      ['failures', f.int(a.failures)],
      ['colour', a.color ? f.el('span', null, colorDot(a.color), a.color) : null],
      ['bottleneck', a.bottleneck ? f.el('b', { class: 'bn' }, 'yes') : null],
      ['lints', lints.length ? lints.join(', ') : null],
      ['last failure', a.last_failure ? String(a.last_failure) : null],
    ]),
    statsTable([['mCPU', st_.mcpu, f.mcpu], ['load', st_.load, f.pct]]),
  ];
}

function describeChannel(c) {
  const s = c.stats || {};
  const lane = c.bundle ? `${c.bundle} lane ${c.lane ?? '?'} of ${c.lanes ?? '?'}` : null;
  return [
    kv([
      ['from → to', `${actorName(c.from) ?? '(none)'} → ${actorName(c.to) ?? '(none)'}`],
      ['bundle', lane],
      ['rate', f.rate(c.rate)],
      ['fill', `${f.pct01(c.fill)} (${f.int(c.inflight)} of ${f.int(c.capacity)})`],
      ['latency', f.seconds(c.latency_s)],
      ['sent / taken', `${f.int(c.sent_total)} / ${f.int(c.taken_total)}`],
      ['colour', c.color ? f.el('span', null, colorDot(c.color), c.color) : null],
      ['back-pressure', c.backpressure ? f.el('b', { class: 'bn' }, 'starts here') : null],
    ]),
    statsTable([['rate', s.rate, f.rate], ['fill', s.fill, f.pct01], ['latency', s.latency, f.seconds]]),
  ];
}

// What an item (node, edge, list row) shows: [title, body nodes].
function describe(kind, key, ids, dotTip) {
  const body = [];
  let title = key.replace(/^[a-z]:/, '');
  if (kind === 'actor') {
    const a = ids.length ? st.actorsById.get(ids[0]) : st.actorsByLabel.get(title);
    title = a ? String(a.label ?? a.id) : title;
    if (a) body.push(...describeActor(a));
  } else {
    const chans = ids.map((id) => st.chansById.get(id)).filter(Boolean);
    if (chans.length === 1) {
      title = String(chans[0].name ?? chans[0].id);
      body.push(...describeChannel(chans[0]));
    } else if (chans.length > 1) {
      const bundle = chans[0].bundle;
      title = bundle ? `${bundle} (${chans.length} lanes)` : `${chans.length} channels`;
      const tot = chans.reduce((x, c) => x + (f.isNum(c.rate) ? c.rate : 0), 0);
      body.push(kv([['from → to', `${actorName(chans[0].from)} → ${actorName(chans[0].to)}`], ['rate', f.rate(tot)]]));
      const t = f.el('table', { class: 'stats' }, f.el('tr', null, ['channel', 'rate', 'fill', 'latency'].map((h) => f.el('th', null, h))));
      for (const c of chans) {
        t.append(f.el('tr', null, f.el('th', null, String(c.name ?? c.id)), f.el('td', null, f.rate(c.rate)),
          f.el('td', null, f.pct01(c.fill)), f.el('td', null, f.seconds(c.latency_s))));
      }
      body.push(t);
    } else {
      title = title.replace(/#\d+$/, '');
    }
  }
  if (dotTip) body.push(f.el('pre', { class: 'tip' }, dotTip.replace(/\\n/g, '\n')));
  if (!body.length) body.push(f.el('p', { class: 'muted small' }, 'No figures for this item in snapshot.json.'));
  return [title, body];
}

function findDotTip(key) {
  if (!st.svg) return '';
  for (const g of st.svg.querySelectorAll('g.node, g.edge')) {
    if (g.dataset.key === key) return g.dataset.tip || '';
  }
  return '';
}

function updateHover() {
  const h = st.hover;
  const box = $('hover');
  if (!h) {
    box.hidden = true;
    return;
  }
  const [title, body] = describe(h.kind, h.key, h.ids, findDotTip(h.key) || h.dotTip);
  box.replaceChildren(f.el('h3', null, h.kind === 'actor' ? 'Actor ' : 'Channel ', f.el('b', null, title)), ...body);
  box.hidden = false;
  placeHover(h.x, h.y);
}

function placeHover(x, y) {
  const box = $('hover');
  const m = 14;
  const w = box.offsetWidth, hh = box.offsetHeight;
  let left = x + m, top = y + m;
  if (left + w > window.innerWidth - 4) left = Math.max(4, x - w - m);
  if (top + hh > window.innerHeight - 4) top = Math.max(4, window.innerHeight - hh - 4);
  box.style.left = `${left}px`;
  box.style.top = `${top}px`;
}

// ---------------------------------------------------------------------------------------------
// selection and charts

const CHART_COLORS = { rate: '#4fc3f7', fill: '#ffb74d', latency: '#ce93d8', mcpu: '#81c784', load: '#e57373', total: '#4fc3f7' };

function select(kind, key, ids) {
  if (!kind || (st.selected && st.selected.key === key)) st.selected = null;
  else st.selected = { kind, key, ids };
  $('charts').replaceChildren();
  markSelection(st.svg);
  updateLists();
  updateSelection();
}

function chartCanvas(name) {
  let c = $('charts').querySelector(`canvas[data-name="${name}"]`);
  if (!c) {
    c = f.el('canvas', { class: 'chart', dataset: { name } });
    $('charts').append(c);
  }
  return c;
}

function updateSelection() {
  const sel = st.selected;
  let charts;
  if (!sel) {
    const g = (st.snap && st.snap.graph) || {};
    $('sel-title').replaceChildren('Graph ', f.el('b', null, g.name || st.cfg.graph || ''));
    $('sel-body').replaceChildren(
      kv([['state', g.state], ['actors', g.n_actors], ['channels', g.n_channels ?? (st.chansById.size || null)],
        ['total rate', f.rate(st.hist.total.last())], ['version', st.cfg.version]]),
      f.el('p', { class: 'muted small' }, 'Click a node or an edge (or a row below) for its charts; click it again to come back here.'));
    charts = [['total', 'throughput (all channels)', st.hist.total, f.rate, {}]];
  } else if (sel.kind === 'actor') {
    const [title, body] = describe('actor', sel.key, sel.ids, findDotTip(sel.key));
    $('sel-title').replaceChildren('Actor ', f.el('b', null, title));
    $('sel-body').replaceChildren(...body.filter((n) => !(n.classList && n.classList.contains('tip'))));
    const h = st.hist.actors.get(sel.ids[0]);
    charts = h ? [
      ['mcpu', 'mCPU', h.mcpu, f.mcpu, {}],
      ['load', 'load (% of the graph)', h.load, f.pct, { max: 100 }],
      ['rate', 'throughput out', h.rate, f.rate, {}],
    ] : [];
  } else {
    const [title, body] = describe('channel', sel.key, sel.ids, findDotTip(sel.key));
    $('sel-title').replaceChildren('Channel ', f.el('b', null, title));
    $('sel-body').replaceChildren(...body.filter((n) => !(n.classList && n.classList.contains('tip'))));
    const hs = sel.ids.map((id) => st.hist.chans.get(id)).filter(Boolean);
    charts = hs.length ? [
      ['rate', 'throughput', combine(hs.map((h) => h.rate), 'sum'), f.rate, {}],
      ['fill', 'fill', combine(hs.map((h) => h.fill), 'max'), (v) => f.pct(v), { max: 100 }],
      ['latency', 'latency', combine(hs.map((h) => h.latency), 'max'), f.seconds, {}],
    ] : [];
  }
  if (!charts.length) {
    $('charts').replaceChildren(f.el('p', { class: 'muted small' }, 'No history for this item yet.'));
    return;
  }
  if ($('charts').querySelector('p')) $('charts').replaceChildren();
  for (const [name, label, series, fmt, o] of charts) {
    drawChart(chartCanvas(name), series, { label, fmt, color: CHART_COLORS[name], ...o });
  }
}

// ---------------------------------------------------------------------------------------------
// downloads

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = f.el('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function baseName() {
  const n = (st.snap && st.snap.graph && st.snap.graph.name) || st.cfg.graph || 'graph';
  return String(n).replace(/[^A-Za-z0-9._-]+/g, '_');
}

// ---------------------------------------------------------------------------------------------
// wiring

function itemFrom(target) {
  const g = target && target.closest ? target.closest('g.node, g.edge, [data-kind]') : null;
  if (!g || !g.dataset.kind) return null;
  return { kind: g.dataset.kind, key: g.dataset.key, ids: (g.dataset.ids || '').split(',').filter((s) => s !== '').map(Number), dotTip: g.dataset.tip || '' };
}

function initRefresh() {
  const sel = $('refresh');
  const min = f.isNum(st.cfg.refresh_rate_ms) ? st.cfg.refresh_rate_ms : 100;
  for (const o of [...sel.options]) {
    const v = Number(o.value);
    if (v !== 0 && v < min) o.remove();
  }
  const saved = Number(localStorage.getItem('steady.refresh_ms'));
  const values = [...sel.options].map((o) => Number(o.value));
  let want = Number.isFinite(saved) && localStorage.getItem('steady.refresh_ms') !== null && values.includes(saved)
    ? saved : values.find((v) => v >= Math.max(min, 200)) ?? values[values.length - 1];
  sel.value = String(want);
  st.refreshMs = want;
  sel.addEventListener('change', () => {
    st.refreshMs = Number(sel.value);
    try { localStorage.setItem('steady.refresh_ms', String(st.refreshMs)); } catch { /* private mode */ }
    if (!st.busy) {
      if (st.refreshMs > 0) tick();
      else schedule();
    }
  });
}

function wire() {
  const stage = $('stage');
  pz = new PanZoom(stage, $('content'));
  $('zoom-in').addEventListener('click', () => pz.zoomCenter(1.25));
  $('zoom-out').addEventListener('click', () => pz.zoomCenter(0.8));
  $('zoom-fit').addEventListener('click', () => { pz.autoFit = true; pz.fit(); });
  $('dl-dot').addEventListener('click', () => {
    if (st.dot) download(`${baseName()}.dot`, 'text/vnd.graphviz', st.dot);
  });
  $('dl-svg').addEventListener('click', () => {
    if (!st.pristine) return;
    const s = st.pristine.cloneNode(true);
    s.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    download(`${baseName()}.svg`, 'image/svg+xml', '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(s));
  });
  window.addEventListener('keydown', (e) => {
    if (e.target && (e.target.tagName === 'SELECT' || e.target.tagName === 'INPUT')) return;
    if (e.key === '+' || e.key === '=') pz.zoomCenter(1.25);
    else if (e.key === '-') pz.zoomCenter(0.8);
    else if (e.key === '0') { pz.autoFit = true; pz.fit(); }
    else if (e.key === 'Escape') select(null);
  });

  stage.addEventListener('mousemove', (e) => {
    const it = itemFrom(e.target);
    if (!it) {
      if (st.hover) { st.hover = null; updateHover(); }
      return;
    }
    if (!st.hover || st.hover.key !== it.key) {
      st.hover = { ...it, x: e.clientX, y: e.clientY };
      updateHover();
    } else {
      st.hover.x = e.clientX;
      st.hover.y = e.clientY;
      placeHover(e.clientX, e.clientY);
    }
  });
  stage.addEventListener('mouseleave', () => { st.hover = null; updateHover(); });
  stage.addEventListener('click', (e) => {
    if (pz.dragged) return;
    const it = itemFrom(e.target);
    if (it) select(it.kind, it.key, it.ids);
  });
  for (const id of ['lists', 'lints']) {
    $(id).addEventListener('click', (e) => {
      const it = itemFrom(e.target);
      if (it) select(it.kind, it.key, it.ids);
    });
  }
  let pending = false;
  new ResizeObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; updateSelection(); });
  }).observe($('side'));
}

async function main() {
  wire();
  await loadConfig();
  initRefresh();
  await loadViz();
  await tick();
}

main();
