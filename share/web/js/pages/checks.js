// checks.js - communication checks and response statistics.
//
// The checks themselves (start one, follow it live) come with issue 3's
// /api/checks; until the node has it, the page says so.  The charts draw
// what the node already knows: for every message it sent, which recipient
// devices acknowledged it and how fast (/api/stats/responses): response rate
// per State, per day, and the distribution of response times.

import { get, post, ApiError } from '../api.js';
import { t, fmtNumber, fmtPercent, fmtDay, fmtTime, fmtDuration, stateLabel } from '../i18n.js';
import { el } from '../dom.js';
import { barChart, histogram, lineChart, summarize } from '../chart.js';

export const live = true;

async function checksSection() {
  const box = el('section', { class: 'card', id: 'checks-list' }, [el('h2', {}, t('checks.current'))]);
  let checks;
  try {
    checks = await get('/api/checks');
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      box.appendChild(el('p', { class: 'hint', id: 'checks-na' }, t('checks.not_available')));
      return box;
    }
    throw e;
  }
  const start = el('button', { type: 'button', id: 'check-start' }, t('checks.start'));
  const out = el('p', { role: 'status' });
  start.addEventListener('click', async () => {
    try { await post('/api/checks', {}); out.textContent = t('checks.started'); } catch (e) { out.textContent = t('common.error', { error: e.message }); }
  });
  box.append(start, out);
  const list = Array.isArray(checks) ? checks : checks.checks || [];
  box.appendChild(el('ul', {}, list.map((c) => el('li', {}, t('checks.item', {
    time: fmtTime(c.time || c.started), answered: fmtNumber(c.answered || 0), total: fmtNumber(c.total || 0),
  })))));
  return box;
}

export async function render(main) {
  main.appendChild(el('h1', {}, t('checks.title')));
  main.appendChild(await checksSection());
  const st = await get('/api/stats/responses');
  const sec = el('section', { class: 'card', id: 'charts' }, [el('h2', {}, t('checks.stats')), el('p', { class: 'hint' }, t('checks.stats_hint'))]);
  main.appendChild(sec);
  if (!st.responses.length) { sec.appendChild(el('p', { class: 'empty' }, t('checks.no_data'))); return; }
  const sum = summarize(st.responses);
  const items = [...sum.byState.entries()].sort().map(([s, v]) => ({
    label: stateLabel(s), value: v.expected ? v.acknowledged / v.expected : 0,
    detail: t('checks.detail', { ack: fmtNumber(v.acknowledged), total: fmtNumber(v.expected) }),
  }));
  sec.appendChild(barChart(t('checks.rate_by_state'), items, fmtPercent,
    [t('checks.col_state'), t('checks.col_rate'), t('checks.col_detail')]));
  const series = new Map();
  for (const d of sum.byDay) {
    if (!series.has(d.state)) series.set(d.state, []);
    series.get(d.state).push({ x: d.day, y: d.expected ? d.acknowledged / d.expected : 0 });
  }
  sec.appendChild(lineChart(t('checks.rate_over_time'), [...series.entries()].map(([s, p]) => ({ label: s, points: p.sort((a, b) => a.x - b.x) })),
    fmtDay, fmtPercent, [t('checks.col_state'), t('checks.col_day'), t('checks.col_rate')]));
  const bl = ['1m', '5m', '15m', '1h', '4h', '1d', 'more'];
  sec.appendChild(histogram(t('checks.time_distribution'), sum.buckets.map((b, i) => ({
    label: t(`checks.bucket.${bl[i]}`), count: b.count,
  })), fmtNumber, [t('checks.col_time'), t('checks.col_count')]));
  const times = st.responses.filter((r) => r.acknowledged).map((r) => r.acknowledged - r.time).sort((a, b) => a - b);
  if (times.length) {
    sec.appendChild(el('p', { id: 'median' }, t('checks.median', { time: fmtDuration(times[Math.floor(times.length / 2)]) })));
  }
}
