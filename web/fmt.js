// fmt.js: number and time formatting, and a tiny DOM builder (text only: never innerHTML with
// data from the server).

export function isNum(x) {
  return typeof x === 'number' && Number.isFinite(x);
}

// 1234 -> "1.23K", 64_000_000 -> "64.0M".
export function compact(x, digits = 3) {
  if (!isNum(x)) return '–';
  const a = Math.abs(x);
  const units = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
  for (const [f, u] of units) {
    if (a >= f) return (x / f).toPrecision(digits) + u;
  }
  if (Number.isInteger(x)) return String(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export function int(x) {
  return isNum(x) ? Math.round(x).toLocaleString('en-US') : '–';
}

export function rate(x) {
  return isNum(x) ? compact(x) + '/s' : '–';
}

// fill is 0..1
export function pct01(x) {
  if (!isNum(x)) return '–';
  const p = x * 100;
  return (p > 0 && p < 1 ? p.toFixed(1) : p.toFixed(0)) + ' %';
}

// load is already a percentage
export function pct(x) {
  if (!isNum(x)) return '–';
  return (x > 0 && x < 10 ? x.toFixed(1) : x.toFixed(0)) + ' %';
}

export function mcpu(x) {
  return isNum(x) ? x.toFixed(x < 10 ? 1 : 0) : '–';
}

export function seconds(s) {
  if (!isNum(s) || s < 0) return '–';
  if (s === 0) return '0';
  if (s < 1e-6) return (s * 1e9).toFixed(0) + ' ns';
  if (s < 1e-3) return (s * 1e6).toPrecision(3) + ' µs';
  if (s < 1) return (s * 1e3).toPrecision(3) + ' ms';
  return s.toPrecision(3) + ' s';
}

function pad(n, w = 2) {
  return String(n).padStart(w, '0');
}

// Local time in ISO 8601 with the offset: 2026-12-03T10:15:30+01:00
export function localIso(d) {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const ao = Math.abs(off);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` +
    `${sign}${pad(Math.floor(ao / 60))}:${pad(ao % 60)}`;
}

// el('div', {class: 'x', title: 't'}, 'text', child, ...)
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k === 'style') e.setAttribute('style', v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
