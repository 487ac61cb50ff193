// chart.js - the checks page's charts, drawn as SVG by hand: horizontal
// bars (response rate per State or group), a histogram (response times) and
// lines over time (response rate check by check, or day by day).
//
// Why no charting library: the brief allows npm for test tooling only, and
// a bundled library would need a build step in make, scripts/demo and the
// install; these three charts need a few dozen lines each.  What a library
// would give, they have: a labelled time axis with dates in the user's
// locale (Intl), a labelled value axis with grid lines, a legend, series
// told apart by dash pattern and marker shape as well as colour, a tooltip
// on every bar and point (SVG <title>), and after each chart a table with
// the same numbers for screen readers and for copying.
//
// The drawing runs left to right in every language (time flows that way on
// the axes people read); legends and tables are HTML and follow the page's
// direction.  Each function takes plain data and formatting callbacks, so
// it draws the acknowledgements of sent messages and the results of
// communication checks the same way.

import { el, svg } from './dom.js';

const COLORS = ['#1f5f99', '#b5462a', '#2d7d46', '#7a4fa0', '#9a6b00', '#3b7f8c', '#8c3b5e'];
const DASHES = [null, '6 4', '2 3', '10 3 2 3', '1 5', '8 6', '4 2 1 2'];
const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'cross', 'triangle-down', 'bar'];

function figure(title, w, h, body, legend, table, opts) {
  return el('figure', { class: 'chart' }, [
    el('figcaption', {}, title),
    opts && opts.summary ? el('p', { class: 'hint chart-summary' }, opts.summary) : null,
    svg('svg', { viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': title, width: '100%' }, body),
    legend,
    table,
  ]);
}

function dataTable(title, head, rows) {
  return el('table', { class: 'chart-data' }, [
    el('caption', { class: 'sr-only' }, title),
    el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))),
  ]);
}

// A marker of the given shape centred on (x, y), with a tooltip.
function marker(shape, x, y, color, tip) {
  const r = 4.5;
  const a = { fill: color, stroke: color, class: 'point', 'data-shape': shape };
  let m;
  if (shape === 'circle') m = svg('circle', Object.assign({ cx: x, cy: y, r }, a));
  else if (shape === 'square') m = svg('rect', Object.assign({ x: x - r, y: y - r, width: 2 * r, height: 2 * r }, a));
  else {
    const pts = {
      triangle: [[0, -r - 1], [r + 1, r], [-r - 1, r]],
      'triangle-down': [[0, r + 1], [r + 1, -r], [-r - 1, -r]],
      diamond: [[0, -r - 1], [r + 1, 0], [0, r + 1], [-r - 1, 0]],
      cross: [[-r, -r], [r, r], [0, 0], [r, -r], [-r, r], [0, 0]],
      bar: [[-1.5, -r - 1], [1.5, -r - 1], [1.5, r + 1], [-1.5, r + 1]],
    }[shape];
    a['stroke-width'] = shape === 'cross' ? 2 : 1;
    if (shape === 'cross') a.fill = 'none';
    m = svg('polygon', Object.assign({ points: pts.map(([dx, dy]) => `${(x + dx).toFixed(1)},${(y + dy).toFixed(1)}`).join(' ') }, a));
  }
  m.appendChild(svg('title', {}, tip));
  return m;
}

// The legend: one item per series, its line and marker drawn as in the chart.
function legend(series) {
  return el('ul', { class: 'legend' }, series.map((s, i) => el('li', { 'data-series': s.label }, [
    svg('svg', { viewBox: '0 0 36 14', width: 36, height: 14, 'aria-hidden': 'true', class: 'swatch' }, [
      svg('line', { x1: 1, y1: 7, x2: 35, y2: 7, stroke: COLORS[i % COLORS.length], 'stroke-width': 2,
        'stroke-dasharray': DASHES[i % DASHES.length] }),
      marker(MARKERS[i % MARKERS.length], 18, 7, COLORS[i % COLORS.length], s.label),
    ]),
    el('span', { dir: 'auto' }, s.label),
  ])));
}

// items: [{label, value (0..1), detail}]; fmt formats a value.
export function barChart(title, items, fmt, head) {
  const rowH = 28, labelW = 200, w = 640, h = Math.max(1, items.length) * rowH + 34;
  const X = (v) => labelW + v * (w - labelW - 70);
  const body = [];
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    body.push(svg('line', { x1: X(v), y1: 4, x2: X(v), y2: h - 26, class: v ? 'grid' : 'axis' }));
    body.push(svg('text', { x: X(v), y: h - 10, 'text-anchor': 'middle', class: 'lbl tick' }, fmt(v)));
  }
  items.forEach((it, i) => {
    const y = 5 + i * rowH, v = Math.max(0, Math.min(1, it.value));
    body.push(svg('text', { x: labelW - 8, y: y + 18, 'text-anchor': 'end', class: 'lbl' }, it.label));
    const bar = svg('rect', { x: labelW, y: y + 4, width: X(v) - labelW, height: rowH - 10, fill: COLORS[0], class: 'bar', 'data-value': it.value });
    bar.appendChild(svg('title', {}, [it.label, fmt(it.value), it.detail].filter(Boolean).join(' · ')));
    body.push(bar);
    body.push(svg('text', { x: X(v) + 6, y: y + 18, class: 'val' }, fmt(it.value)));
  });
  return figure(title, w, h, body, null, dataTable(title, head, items.map((it) => [it.label, fmt(it.value), it.detail || ''])));
}

// buckets: [{label, count}]; axis: the value axis's name.
export function histogram(title, buckets, fmtCount, head, axis) {
  const w = 640, h = 240, left = 50, right = 16, top = 14, bottom = 44, n = Math.max(1, buckets.length);
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const bw = (w - left - right) / n;
  const Y = (c) => h - bottom - (c / max) * (h - top - bottom);
  const body = [svg('line', { x1: left, y1: h - bottom, x2: w - right, y2: h - bottom, class: 'axis' }),
    svg('line', { x1: left, y1: top, x2: left, y2: h - bottom, class: 'axis' })];
  for (const c of [...new Set([0, Math.round(max / 2), max])]) {
    body.push(svg('line', { x1: left, y1: Y(c), x2: w - right, y2: Y(c), class: c ? 'grid' : 'axis' }));
    body.push(svg('text', { x: left - 6, y: Y(c) + 4, 'text-anchor': 'end', class: 'lbl tick' }, fmtCount(c)));
  }
  if (axis) body.push(svg('text', { x: 12, y: (top + h - bottom) / 2, 'text-anchor': 'middle', class: 'lbl axis-title',
    transform: `rotate(-90 12 ${(top + h - bottom) / 2})` }, axis));
  buckets.forEach((b, i) => {
    const x = left + i * bw;
    const bar = svg('rect', { x: x + 4, y: Y(b.count), width: bw - 8, height: h - bottom - Y(b.count), fill: COLORS[2], class: 'bar', 'data-value': b.count });
    bar.appendChild(svg('title', {}, `${b.label}: ${fmtCount(b.count)}`));
    body.push(bar);
    body.push(svg('text', { x: x + bw / 2, y: h - bottom + 18, 'text-anchor': 'middle', class: 'lbl' }, b.label));
    if (b.count) body.push(svg('text', { x: x + bw / 2, y: Y(b.count) - 4, 'text-anchor': 'middle', class: 'val' }, fmtCount(b.count)));
  });
  return figure(title, w, h, body, null, dataTable(title, head, buckets.map((b) => [b.label, fmtCount(b.count)])));
}

// Ticks for a time axis: about n instants from lo to hi, on whole
// minutes, hours or days.
function timeTicks(lo, hi, n) {
  const steps = [60e3, 5 * 60e3, 15 * 60e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3, 2 * 86400e3, 7 * 86400e3, 30 * 86400e3];
  const step = steps.find((s) => (hi - lo) / s <= n) || steps[steps.length - 1];
  const ticks = [];
  for (let x = Math.ceil(lo / step) * step; x <= hi; x += step) ticks.push(x);
  return ticks.length ? ticks : [lo];
}

// series: [{label, points: [{x (ms), y (0..1)}]}].  opts: fmtX (a point's
// time in words), fmtTick(ms, span) (an axis label), fmtY, head (the
// table's column names), xTitle, yTitle, minSpan (ms, the shortest axis).
export function lineChart(title, series, opts) {
  const w = 640, h = 280, left = 56, right = 20, top = 16, bottom = 52;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  // The axis spans at least opts.minSpan (a single time, one check or one
  // day, is drawn in the middle), with a margin on each side.
  const lo = xs.length ? Math.min(...xs) : Date.now(), hi = xs.length ? Math.max(...xs) : lo;
  const span = Math.max(hi - lo, opts.minSpan || 3600e3);
  const x0 = (lo + hi) / 2 - span * 0.55, x1 = (lo + hi) / 2 + span * 0.55;
  const X = (x) => left + ((x - x0) / (x1 - x0)) * (w - left - right);
  const Y = (y) => h - bottom - y * (h - top - bottom);
  const body = [];
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    body.push(svg('line', { x1: left, y1: Y(v), x2: w - right, y2: Y(v), class: v ? 'grid' : 'axis' }));
    body.push(svg('text', { x: left - 6, y: Y(v) + 4, 'text-anchor': 'end', class: 'lbl tick' }, opts.fmtY(v)));
  }
  body.push(svg('line', { x1: left, y1: top, x2: left, y2: h - bottom, class: 'axis' }));
  const ticks = timeTicks(x0, x1, 6);
  for (const x of ticks) {
    body.push(svg('line', { x1: X(x), y1: h - bottom, x2: X(x), y2: h - bottom + 5, class: 'axis' }));
    body.push(svg('text', { x: X(x), y: h - bottom + 18, 'text-anchor': 'middle', class: 'lbl tick x-tick', 'data-time': x }, opts.fmtTick(x, x1 - x0)));
  }
  if (opts.xTitle) body.push(svg('text', { x: (left + w - right) / 2, y: h - 8, 'text-anchor': 'middle', class: 'lbl axis-title' }, opts.xTitle));
  if (opts.yTitle) body.push(svg('text', { x: 12, y: (top + h - bottom) / 2, 'text-anchor': 'middle', class: 'lbl axis-title',
    transform: `rotate(-90 12 ${(top + h - bottom) / 2})` }, opts.yTitle));
  const rows = [];
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const pts = s.points.map((p) => `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(' ');
    body.push(svg('polyline', { points: pts, fill: 'none', stroke: c, 'stroke-width': 2, 'stroke-dasharray': DASHES[i % DASHES.length],
      class: 'series', 'data-series': s.label }));
    for (const p of s.points) {
      body.push(marker(MARKERS[i % MARKERS.length], X(p.x), Y(p.y), c, `${s.label} · ${opts.fmtX(p.x)} · ${opts.fmtY(p.y)}`));
      rows.push([s.label, opts.fmtX(p.x), opts.fmtY(p.y)]);
    }
  });
  return figure(title, w, h, body, legend(series), dataTable(title, opts.head, rows));
}

// Response statistics from rows [{state, time, delivered?, acknowledged?}]:
// per-State rates, per-day rates, and response-time buckets.
export function summarize(rows) {
  const byState = new Map(), byDay = new Map(), times = [];
  for (const r of rows) {
    const s = byState.get(r.state) || { expected: 0, delivered: 0, acknowledged: 0 };
    s.expected++;
    if (r.delivered) s.delivered++;
    if (r.acknowledged) { s.acknowledged++; times.push(Math.max(0, r.acknowledged - r.time)); }
    byState.set(r.state, s);
    const day = new Date(r.time); day.setHours(0, 0, 0, 0);
    const k = `${r.state}|${day.getTime()}`;
    const d = byDay.get(k) || { state: r.state, day: day.getTime(), expected: 0, acknowledged: 0 };
    d.expected++;
    if (r.acknowledged) d.acknowledged++;
    byDay.set(k, d);
  }
  const limits = [60e3, 5 * 60e3, 15 * 60e3, 3600e3, 4 * 3600e3, 86400e3, Infinity];
  const buckets = limits.map((l) => ({ limit: l, count: 0 }));
  for (const ms of times) buckets.find((b) => ms < b.limit).count++;
  return { byState, byDay: [...byDay.values()], buckets };
}
