// pods.js: the joined view of several pods (steady-pods --serve). Each second it reads
// /pods.json (the pods and their bridges, joined by the server) and, when the graph changed,
// /pods.dot, laid out by @viz-js/viz into the 2-D view; the 3-D view (pods3d.js, three.js) is
// loaded when first shown. window.podsView tells a test what is drawn.
const state = { dot: null, viz: null, data: null, view3d: null, shown: '2d' };
window.podsView = { pods: 0, bridges: 0, down: 0, svgNodes: 0, refreshes: 0, view3d: null };

const $ = (id) => document.getElementById(id);
const fmt = (v) => (v === null || v === undefined ? '–' : Math.round(v).toLocaleString('en'));

async function layout(dot) {
  if (!window.Viz) { // no layout engine embedded: the DOT text
    $('dottext').hidden = false;
    $('dottext').textContent = dot;
    return;
  }
  state.viz = state.viz || await window.Viz.instance();
  const svg = state.viz.renderSVGElement(dot);
  $('graph').replaceChildren(svg);
  window.podsView.svgNodes = svg.querySelectorAll('g.node').length;
}

function table(data) {
  const rows = data.bridges.map((b) => {
    const from = data.pods[b.from_pod], to = data.pods[b.to_pod];
    const tr = document.createElement('tr');
    const cells = [b.endpoint, `pod ${b.from_pod + 1} (${from.name})`,
      `pod ${b.to_pod + 1} (${to.name})`, b.up ? 'up' : 'down', fmt(b.rate), fmt(b.lag)];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (i === 3) td.className = b.up ? 'up' : 'down';
      tr.append(td);
    });
    return tr;
  });
  $('bridges').tBodies[0].replaceChildren(...rows);
  $('pods').replaceChildren(...data.pods.map((p, i) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = p.colour;
    li.append(sw, `pod ${i + 1}: ${p.ok ? `${p.name} (${p.state})` : 'unreachable'} · ${p.url}`);
    if (!p.ok) {
      li.className = 'bad';
      li.append(` · ${p.why}`);
    }
    return li;
  }));
}

async function refresh() {
  try {
    const data = await (await fetch('/pods.json', { cache: 'no-store' })).json();
    state.data = data;
    const down = data.bridges.filter((b) => !b.up).length;
    $('summary').textContent = `${data.pods.length} pods · ${data.bridges.length} bridges` +
      (down ? ` · ${down} down` : '');
    table(data);
    const dot = await (await fetch('/pods.dot', { cache: 'no-store' })).text();
    if (dot !== state.dot) {
      await layout(dot);
      state.dot = dot; // after the layout: one that failed is tried again
    }
    if (state.view3d) state.view3d.update(data);
    Object.assign(window.podsView, { pods: data.pods.length, bridges: data.bridges.length, down });
    window.podsView.refreshes++;
  } catch (e) {
    $('summary').textContent = `the server does not answer (${e.message}); the last view stays`;
  }
}

async function show(which) {
  state.shown = which;
  $('view2d').hidden = which !== '2d';
  $('view3d').hidden = which !== '3d';
  $('show2d').classList.toggle('on', which === '2d');
  $('show3d').classList.toggle('on', which === '3d');
  if (which === '3d' && !state.view3d) {
    state.loading3d = state.loading3d || import('/pods3d.js').then(({ PodsView3d }) => {
      state.view3d = new PodsView3d($('scene'));
      window.podsView.view3d = state.view3d.stats;
    }, (e) => { $('summary').textContent = `no 3-D view here (${e.message})`; });
    await state.loading3d;
  }
  if (state.view3d && state.data) state.view3d.update(state.data);
}

$('show2d').addEventListener('click', () => show('2d'));
$('show3d').addEventListener('click', () => show('3d'));
if (location.hash === '#3d') show('3d');
// One refresh at a time: the next is scheduled when this one ends (a slow layout never
// overlaps the next, and an older answer never overwrites a newer one).
async function loop() {
  await refresh();
  setTimeout(loop, 1000);
}
loop();
