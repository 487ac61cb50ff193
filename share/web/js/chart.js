// chart.js - small hand-drawn SVG charts for the checks page: horizontal
// bars (response rate per State or group), a histogram (response times) and
// lines over time (response rate per day).  No library: a few dozen lines of
// SVG do the work, nothing is fetched, and every chart is followed by a
// table with the same numbers for screen readers and for copying.
//
// Each function takes plain data and formatting callbacks, so it draws the
// acknowledgements of sent messages and the results of communication checks
// the same way.

import { el, svg } from './dom.js';

const COLORS = ['#1f5f99', '#b5462a', '#2d7d46', '#7a4fa0', '#9a6b00', '#3b7f8c', '#8c3b5e'];

function frame(title, w, h, body, table) {
  return el('figure', { class: 'chart' }, [
    el('figcaption', {}, title),
    svg('svg', { viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': title, width: '100%' }, body),
    table,
  ]);
}

function dataTable(head, rows) {
  return el('table', { class: 'chart-data' }, [
    el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))),
  ]);
}

// items: [{label, value (0..1), detail}]; fmt formats a value.
export function barChart(title, items, fmt, head) {
  const rowH = 28, labelW = 170, w = 600, h = Math.max(1, items.length) * rowH + 10;
  const body = [];
  items.forEach((it, i) => {
    const y = 5 + i * rowH, bw = Math.max(0, Math.min(1, it.value)) * (w - labelW - 70);
    body.push(svg('text', { x: labelW - 8, y: y + 18, 'text-anchor': 'end', class: 'lbl' }, it.label));
    body.push(svg('rect', { x: labelW, y: y + 4, width: bw, height: rowH - 10, fill: COLORS[0], class: 'bar', 'data-value': it.value }));
    body.push(svg('text', { x: labelW + bw + 6, y: y + 18, class: 'val' }, fmt(it.value)));
  });
  return frame(title, w, h, body, dataTable(head, items.map((it) => [it.label, fmt(it.value), it.detail || ''])));
}

// buckets: [{label, count}]
export function histogram(title, buckets, fmtCount, head) {
  const w = 600, h = 220, pad = 30, n = Math.max(1, buckets.length);
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const bw = (w - 2 * pad) / n;
  const body = [svg('line', { x1: pad, y1: h - pad, x2: w - pad, y2: h - pad, class: 'axis' })];
  buckets.forEach((b, i) => {
    const bh = (b.count / max) * (h - 2 * pad - 10);
    const x = pad + i * bw;
    body.push(svg('rect', { x: x + 4, y: h - pad - bh, width: bw - 8, height: bh, fill: COLORS[2], class: 'bar', 'data-value': b.count }));
    body.push(svg('text', { x: x + bw / 2, y: h - pad + 16, 'text-anchor': 'middle', class: 'lbl' }, b.label));
    body.push(svg('text', { x: x + bw / 2, y: h - pad - bh - 4, 'text-anchor': 'middle', class: 'val' }, fmtCount(b.count)));
  });
  return frame(title, w, h, body, dataTable(head, buckets.map((b) => [b.label, fmtCount(b.count)])));
}

// series: [{label, points: [{x (ms), y (0..1)}]}]; fmtX formats an x.
export function lineChart(title, series, fmtX, fmtY, head) {
  const w = 600, h = 240, pad = 40;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  // A single time (one check, one day) is drawn in the middle.
  const lo = xs.length ? Math.min(...xs) : Date.now(), hi = xs.length ? Math.max(...xs) : lo;
  const x0 = hi > lo ? lo : lo - 3600e3, x1 = hi > lo ? hi : lo + 3600e3;
  const X = (x) => pad + ((x - x0) / (x1 - x0 || 1)) * (w - 2 * pad);
  const Y = (y) => h - pad - y * (h - 2 * pad);
  const body = [
    svg('line', { x1: pad, y1: Y(0), x2: w - pad, y2: Y(0), class: 'axis' }),
    svg('line', { x1: pad, y1: Y(1), x2: w - pad, y2: Y(1), class: 'grid' }),
    svg('text', { x: pad - 4, y: Y(1) + 4, 'text-anchor': 'end', class: 'lbl' }, fmtY(1)),
    svg('text', { x: pad - 4, y: Y(0) + 4, 'text-anchor': 'end', class: 'lbl' }, fmtY(0)),
  ];
  const rows = [];
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const pts = s.points.map((p) => `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(' ');
    body.push(svg('polyline', { points: pts, fill: 'none', stroke: c, 'stroke-width': 2, class: 'series' }));
    for (const p of s.points) {
      body.push(svg('circle', { cx: X(p.x), cy: Y(p.y), r: 4, fill: c }));
      rows.push([s.label, fmtX(p.x), fmtY(p.y)]);
    }
    body.push(svg('text', { x: w - pad + 4, y: pad + 14 * i, fill: c, class: 'lbl' }, s.label));
  });
  return frame(title, w, h, body, dataTable(head, rows));
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
