// chart.js: the last N samples of a figure, and a small line chart drawn on a canvas.

export class Series {
  constructor(cap = 300) {
    this.cap = cap;
    this.t = [];  // unix ms
    this.v = [];  // number or null (no value this frame)
  }
  push(t, v) {
    this.t.push(t);
    this.v.push(typeof v === 'number' && Number.isFinite(v) ? v : null);
    if (this.t.length > this.cap) {
      this.t.shift();
      this.v.shift();
    }
  }
  get length() {
    return this.t.length;
  }
  last() {
    for (let i = this.v.length - 1; i >= 0; i--) if (this.v[i] !== null) return this.v[i];
    return null;
  }
}

// Combines series sample by sample (aligned on their ends): how = 'sum' | 'max'.
export function combine(list, how) {
  const out = new Series(list.length ? list[0].cap : 300);
  if (!list.length) return out;
  const n = Math.min(...list.map((s) => s.length));
  for (let i = 0; i < n; i++) {
    let acc = null;
    let t = 0;
    for (const s of list) {
      const j = s.length - n + i;
      t = s.t[j];
      const v = s.v[j];
      if (v === null) continue;
      acc = acc === null ? v : how === 'max' ? Math.max(acc, v) : acc + v;
    }
    out.push(t, acc);
  }
  return out;
}

// Draws `s` on `canvas`. opts: {label, fmt(v) -> string, color, min (default 0), max (optional
// fixed top, e.g. 100 for percentages)}.
export function drawChart(canvas, s, opts) {
  const dpr = window.devicePixelRatio || 1;
  const cssW = canvas.clientWidth || 300;
  const cssH = canvas.clientHeight || 80;
  const w = Math.round(cssW * dpr);
  const h = Math.round(cssH * dpr);
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, cssW, cssH);

  const padL = 4, padR = 4, padT = 18, padB = 14;
  const pw = cssW - padL - padR;
  const ph = cssH - padT - padB;

  g.fillStyle = '#0b0d10';
  g.fillRect(0, 0, cssW, cssH);

  let lo = opts.min ?? 0;
  let hi = opts.max ?? null;
  let dataHi = -Infinity, dataLo = Infinity;
  for (const v of s.v) {
    if (v === null) continue;
    if (v > dataHi) dataHi = v;
    if (v < dataLo) dataLo = v;
  }
  if (hi === null) hi = dataHi > lo ? dataHi * 1.1 : lo + 1;
  if (dataLo < lo) lo = dataLo;

  // grid
  g.strokeStyle = '#222831';
  g.lineWidth = 1;
  for (let i = 0; i <= 3; i++) {
    const y = Math.round(padT + (ph * i) / 3) + 0.5;
    g.beginPath();
    g.moveTo(padL, y);
    g.lineTo(padL + pw, y);
    g.stroke();
  }

  // The x axis spans the samples kept, but at least 60 (so a new chart starts at the right and
  // fills leftwards, then compresses up to the history's cap).
  const n = s.length;
  const span = Math.max(n, 60);
  const x = (i) => padL + pw * ((span - n + i) / Math.max(1, span - 1));
  const y = (v) => padT + ph - (ph * (v - lo)) / (hi - lo || 1);

  // area + line, broken where there is no value
  const color = opts.color || '#4fc3f7';
  let started = false;
  g.beginPath();
  let firstX = 0;
  const segs = [];
  for (let i = 0; i < n; i++) {
    const v = s.v[i];
    if (v === null) {
      if (started) segs.push([firstX, x(i - 1)]);
      started = false;
      continue;
    }
    if (!started) {
      g.moveTo(x(i), y(v));
      firstX = x(i);
      started = true;
    } else {
      g.lineTo(x(i), y(v));
    }
  }
  if (started) segs.push([firstX, x(n - 1)]);
  g.strokeStyle = color;
  g.lineWidth = 1.5;
  g.stroke();
  // light fill under the line
  g.save();
  g.globalAlpha = 0.15;
  g.fillStyle = color;
  for (let i = 0; i < n; i++) {
    const v = s.v[i];
    if (v === null) continue;
    const bw = Math.max(1, pw / Math.max(1, span - 1));
    g.fillRect(x(i) - bw / 2, y(v), bw, padT + ph - y(v));
  }
  g.restore();

  // text: label, current value, top of the scale, span
  g.font = '11px system-ui, sans-serif';
  g.textBaseline = 'top';
  g.fillStyle = '#aeb6c2';
  g.fillText(opts.label, padL + 2, 3);
  const cur = s.last();
  const curText = cur === null ? '–' : opts.fmt(cur);
  g.fillStyle = '#e8ecf1';
  g.font = 'bold 11px system-ui, sans-serif';
  const cw = g.measureText(curText).width;
  g.fillText(curText, cssW - padR - cw - 2, 3);
  g.font = '10px system-ui, sans-serif';
  g.fillStyle = '#6b7480';
  g.textBaseline = 'bottom';
  g.fillText('max ' + (dataHi === -Infinity ? '–' : opts.fmt(dataHi)), padL + 2, cssH - 1);
  if (n > 1) {
    const span = (s.t[n - 1] - s.t[0]) / 1000;
    const txt = `last ${span >= 90 ? (span / 60).toFixed(1) + ' min' : span.toFixed(0) + ' s'}`;
    const tw = g.measureText(txt).width;
    g.fillText(txt, cssW - padR - tw - 2, cssH - 1);
  }
  canvas.dataset.samples = String(n);
}
