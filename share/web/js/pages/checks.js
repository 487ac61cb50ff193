// checks.js - communication checks: start one, follow it live, see the
// figures of past checks as charts.
//
// The checks come from /api/checks (this POC's view: the checks it started
// or was asked, with its own status) and their figures from
// /api/checks/report (lib/checkstats.c, the code the hub runs: per check,
// rows per State, role and group, and history rows over all checks).  The
// charts draw one point per check: response rate per State and per group
// over time, and the distribution of response times, with the median and
// p95 in words.  A last section keeps the statistics of acknowledgements of
// the messages this node sent (/api/stats/responses), which are not checks.
//
// The page is live: the shell redraws it when the node stores news.  It is
// not redrawn while the start form has the focus, and the form's values and
// the last action's result are kept across redraws.
//
// A check this POC must answer stands out: a count in the navigation (the
// shell's), a line at the top of the page with a button to each, and the
// row marked.  An unanswered check counts against the State's published
// rate.  Checks are told apart by their short id and a time to the second.

import { get, post } from '../api.js';
import { t, fmtNumber, fmtPercent, fmtDay, fmtTime, fmtAxis, fmtDuration, stateLabel, bdi, timeEl } from '../i18n.js';
import { el } from '../dom.js';
import { barChart, histogram, lineChart, summarize } from '../chart.js';

const DEADLINES = ['15m', '1h', '4h', '24h', '3d', '7d', '30d'];
const ROLES = ['technical', 'diplomatic', 'alternate'];
const KINDS = ['all', 'group', 'states'];
const STATUS = { '-': 'not_asked', queued: 'queued', answered: 'answered', 'answered late': 'late', MISSED: 'missed' }; // no-i18n

// What the user chose in the form, and the result of the last action.
const draft = { kind: 'all', group: '', states: new Set(), deadline: '24h', roles: new Set() };
let result = null;	// {key, vars, error?, id?}
let say = () => {};	// the shell's announce()

// Not redrawn under the user's hands: while the start form has the focus.
export function live() {
  const f = document.getElementById('check-form');
  return !(f && f.contains(document.activeElement));
}

export const isOpen = (c) => typeof c.status === 'string' && c.status.startsWith('OPEN');

function statusText(s) {
  if (typeof s === 'string' && s.startsWith('OPEN')) return t('checks.status.open');
  return t(`checks.status.${STATUS[s] || 'not_asked'}`);
}

const shortId = (id) => id.slice(0, 16);

function showResult(box) {
  if (!result) return;
  box.textContent = t(result.key, result.vars);
  box.className = result.error ? 'error' : 'ok';
  if (result.id) box.dataset.id = result.id;
}

function startForm(dir, refresh) {
  const out = el('p', { role: 'status', id: 'check-result' });
  showResult(out);
  const radio = (k) => el('div', { class: 'check' }, [
    el('input', { type: 'radio', name: 'check-kind', id: `check-kind-${k}`, value: k, checked: draft.kind === k,
      onchange: () => { draft.kind = k; sync(); } }),
    el('label', { for: `check-kind-${k}` }, t(`checks.audience.${k}`)),
  ]);
  const group = el('input', { type: 'text', id: 'check-group', value: draft.group, autocomplete: 'off',
    oninput: (e) => { draft.group = e.target.value.trim(); } });
  const groupBox = el('div', { class: 'field', id: 'check-group-box' }, [
    el('label', { for: 'check-group' }, t('checks.group_name')), group]);
  const statesBox = el('div', { id: 'check-states' }, dir.states.filter((s) => s.state !== dir.own_state).map((s) => {
    const id = `check-to-${s.state}`;
    return el('div', { class: 'check' }, [
      el('input', { type: 'checkbox', id, value: s.state, checked: draft.states.has(s.state),
        onchange: (e) => { if (e.target.checked) draft.states.add(s.state); else draft.states.delete(s.state); } }),
      el('label', { for: id }, stateLabel(s.state)),
    ]);
  }));
  const sync = () => { groupBox.hidden = draft.kind !== 'group'; statesBox.hidden = draft.kind !== 'states'; };
  sync();
  const audience = el('fieldset', { id: 'check-audience' }, [
    el('legend', {}, t('checks.who')), ...KINDS.map(radio), groupBox, statesBox]);
  const roles = el('fieldset', { id: 'check-roles' }, [el('legend', {}, t('checks.roles')),
    ...ROLES.map((r) => el('div', { class: 'check' }, [
      el('input', { type: 'checkbox', id: `check-role-${r}`, value: r, checked: draft.roles.has(r),
        onchange: (e) => { if (e.target.checked) draft.roles.add(r); else draft.roles.delete(r); } }),
      el('label', { for: `check-role-${r}` }, t(`role.${r}`)),
    ])),
    el('p', { class: 'hint' }, t('checks.roles_hint'))]);
  const deadline = el('select', { id: 'check-deadline', onchange: (e) => { draft.deadline = e.target.value; } },
    DEADLINES.map((d) => el('option', { value: d, selected: d === draft.deadline }, t(`checks.within.${d}`))));
  const submit = el('button', { type: 'submit', id: 'check-start' }, t('checks.start'));
  const form = el('form', { id: 'check-form' }, [
    audience,
    el('div', { class: 'field' }, [el('label', { for: 'check-deadline' }, t('checks.deadline')), deadline]),
    roles, submit, out,
  ]);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let to = 'all';
    if (draft.kind === 'group') to = `group:${draft.group}`;
    if (draft.kind === 'states') to = [...draft.states].sort().join(',');
    if ((draft.kind === 'group' && !draft.group) || (draft.kind === 'states' && !draft.states.size)) {
      result = { key: 'checks.need_audience', error: true };
      showResult(out);
      return;
    }
    const body = { to, deadline: draft.deadline };
    if (draft.roles.size) body.roles = [...draft.roles].join(',');
    submit.disabled = true;
    try {
      const r = await post('/api/checks', body);
      result = { key: r.queued ? 'checks.started_queued' : 'checks.started', vars: { id: shortId(r.id) }, id: r.id };
    } catch (e) {
      result = { key: 'common.error', vars: { error: e.message }, error: true };
    }
    submit.disabled = false;
    showResult(out);
    submit.blur();
    await refresh(true);
  });
  return form;
}

function answerButton(c, id, label, refresh) {
  return el('button', { type: 'button', class: 'answer', id,
    onclick: async (e) => {
      e.target.disabled = true;
      try {
        await post(`/api/checks/${c.id}/answer`, {});
        result = { key: 'checks.answered_ok', vars: { id: shortId(c.id) }, id: c.id };
      } catch (err) {
        result = { key: 'common.error', vars: { error: err.message }, error: true };
      }
      say(t(result.key, result.vars));
      await refresh(true);
    } }, label);
}

// The checks waiting for this POC's answer, at the top of the page.
function openSection(list, refresh) {
  const open = list.filter(isOpen);
  if (!open.length) return null;
  return el('section', { class: 'card alarm', id: 'checks-open', 'aria-labelledby': 'checks-open-h' }, [
    el('h2', { id: 'checks-open-h' }, t('checks.open_title', { n: open.length })),
    el('p', {}, t('checks.open_hint')),
    el('ul', {}, open.map((c) => el('li', {}, [
      t('checks.open_item', { id: shortId(c.id), by: signerText(c), deadline: fmtTime(c.deadline) }), ' ',
      answerButton(c, `answer-top-${shortId(c.id)}`, t('checks.answer_id', { id: shortId(c.id) }), refresh),
    ]))),
  ]);
}

// What the statuses mean.
function statusLegend() {
  return el('details', { id: 'checks-legend' }, [
    el('summary', {}, t('checks.legend')),
    el('dl', { class: 'fields' }, ['open', 'queued', 'answered', 'late', 'missed', 'not_asked'].flatMap((k) => [
      el('dt', {}, t(`checks.status.${k}`)), el('dd', {}, t(`checks.legend.${k}`))])),
  ]);
}

function signerText(c) {
  if (c.mine) return t('checks.by_me');
  if (c.signer === 'operator') return t('checks.by_operator');
  return stateLabel(c.signer);
}

function checksTable(list, byId, refresh) {
  if (!list.length) return el('p', { class: 'empty', id: 'checks-empty' }, t('checks.none'));
  const head = ['col_id', 'col_started', 'col_by', 'col_deadline', 'col_states', 'col_pocs', 'col_status', 'col_action'];
  const rows = [...list].sort((a, b) => b.index - a.index).map((c) => {
    const all = byId.get(c.id);
    const r = all && all.rows.find((x) => x.scope === 'all');
    const open = isOpen(c);
    const action = [];
    if (open) action.push(answerButton(c, `answer-${shortId(c.id)}`, t('checks.answer'), refresh));
    return el('tr', { 'data-id': c.id, class: open ? 'is-open' : null }, [
      el('td', { class: 'check-id' }, bdi(shortId(c.id), { class: 'fpr' })),
      el('td', {}, timeEl(c.time)),
      el('td', {}, signerText(c)),
      el('td', {}, timeEl(c.deadline)),
      el('td', { class: 'states-answered' }, r ? t('checks.states_answered', {
        answered: r.states_answered, total: r.states }) : t('common.none')),
      el('td', { class: 'pocs-answered' }, t('checks.pocs_answered', {
        answered: c.answered, total: c.total })),
      el('td', { class: 'status' }, open ? el('span', { class: 'flag overdue' }, statusText(c.status)) : statusText(c.status)),
      el('td', {}, action),
    ]);
  });
  return el('table', { class: 'list', id: 'checks-table' }, [
    el('caption', { class: 'sr-only' }, t('checks.current')),
    el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, t(`checks.${h}`))))),
    el('tbody', {}, rows),
  ]);
}

// One series per key of the given scope: a point per check (x: its time).
function seriesOf(report, scope, field, label) {
  const m = new Map();
  for (const c of report.checks) {
    for (const r of c.rows) {
      if (r.scope !== scope || r[field] === null || r[field] === undefined) continue;
      if (!m.has(r.key)) m.set(r.key, []);
      m.get(r.key).push({ x: c.time, y: r[field] / 100 });
    }
  }
  return [...m.entries()].sort().map(([k, p]) => ({ label: label(k), points: p.sort((a, b) => a.x - b.x) }));
}

const LIMITS = [60e3, 5 * 60e3, 15 * 60e3, 3600e3, 4 * 3600e3, 86400e3, Infinity];
const BUCKETS = ['1m', '5m', '15m', '1h', '4h', '1d', 'more'];

function reportSection(report) {
  const sec = el('section', { class: 'card', id: 'check-charts' }, [el('h2', {}, t('checks.figures'))]);
  if (!report.checks.length) {
    sec.appendChild(el('p', { class: 'empty' }, t('checks.no_figures')));
    return sec;
  }
  const all = report.history.find((r) => r.scope === 'all');
  const words = [t('checks.summary', {
    checks: report.checks.length, answered: all.answered, pocs: all.pocs,
    rate: all.rate === null ? t('common.none') : fmtPercent(all.rate / 100), late: all.late,
    states_answered: all.states_answered, states: all.states,
  })];
  words.push(all.median_ms === null ? t('checks.no_times') : t('checks.median_p95', {
    median: fmtDuration(all.median_ms), p95: fmtDuration(all.p95_ms) }));
  sec.appendChild(el('p', { id: 'check-summary' }, words.join(' ')));
  sec.appendChild(el('p', { class: 'hint' }, t('checks.figures_hint')));

  const perState = report.history.filter((r) => r.scope === 'state' && r.rate !== null).map((r) => ({
    label: stateLabel(r.key), value: r.rate / 100,
    detail: t('checks.pocs_answered', { answered: r.answered, total: r.pocs }),
  }));
  const bars = barChart(t('checks.rate_by_state_all'), perState, fmtPercent,
    [t('checks.col_state'), t('checks.col_rate'), t('checks.col_pocs')]);
  bars.id = 'chart-state-rate';
  sec.appendChild(bars);

  const line = (head, yTitle) => ({ fmtX: fmtTime, fmtTick: fmtAxis, fmtY: fmtPercent, head,
    xTitle: t('chart.time_axis', { zone: Intl.DateTimeFormat().resolvedOptions().timeZone }), yTitle, minSpan: 3600e3 });
  const states = lineChart(t('checks.rate_by_state_time'), seriesOf(report, 'state', 'rate', (k) => k),
    line([t('checks.col_state'), t('checks.col_check'), t('checks.col_rate')], t('checks.col_rate')));
  states.id = 'chart-state-time';
  sec.appendChild(states);
  const groupSeries = seriesOf(report, 'group', 'state_rate', (k) => k);
  if (groupSeries.length) {
    const groups = lineChart(t('checks.rate_by_group_time'), groupSeries,
      line([t('checks.col_group'), t('checks.col_check'), t('checks.col_state_rate')], t('checks.col_state_rate')));
    groups.id = 'chart-group-time';
    sec.appendChild(groups);
  } else {
    sec.appendChild(el('p', { class: 'hint', id: 'chart-group-none' }, t('checks.no_groups')));
  }
  const counts = LIMITS.map(() => 0);
  for (const c of report.checks) {
    for (const p of c.pocs) {
      if (p.status === 'answered' && p.response_ms !== null) counts[LIMITS.findIndex((l) => p.response_ms < l)]++;
    }
  }
  const hist = histogram(t('checks.time_distribution_checks'), counts.map((n, i) => ({
    label: t(`checks.bucket.${BUCKETS[i]}`), count: n,
  })), fmtNumber, [t('checks.col_time'), t('checks.col_answers')], t('checks.col_answers'));
  hist.id = 'chart-times';
  sec.appendChild(hist);
  return sec;
}

// Acknowledgements of the messages this node sent: not checks, but the
// same question (who answers, how fast), so they stay, in their own section.
async function ackSection() {
  const st = await get('/api/stats/responses');
  const sec = el('section', { class: 'card', id: 'ack-charts' }, [el('h2', {}, t('checks.stats')), el('p', { class: 'hint' }, t('checks.stats_hint'))]);
  if (!st.responses.length) { sec.appendChild(el('p', { class: 'empty' }, t('checks.no_data'))); return sec; }
  const sum = summarize(st.responses);
  const items = [...sum.byState.entries()].sort().map(([s, v]) => ({
    label: stateLabel(s), value: v.expected ? v.acknowledged / v.expected : 0,
    detail: t('checks.detail', { ack: v.acknowledged, total: v.expected }),
  }));
  sec.appendChild(barChart(t('checks.rate_by_state'), items, fmtPercent,
    [t('checks.col_state'), t('checks.col_rate'), t('checks.col_detail')]));
  const series = new Map();
  for (const d of sum.byDay) {
    if (!series.has(d.state)) series.set(d.state, []);
    series.get(d.state).push({ x: d.day, y: d.expected ? d.acknowledged / d.expected : 0 });
  }
  sec.appendChild(lineChart(t('checks.rate_over_time'), [...series.entries()].map(([s, p]) => ({ label: s, points: p.sort((a, b) => a.x - b.x) })),
    { fmtX: fmtDay, fmtTick: (ms) => fmtDay(ms), fmtY: fmtPercent, head: [t('checks.col_state'), t('checks.col_day'), t('checks.col_rate')],
      xTitle: t('checks.col_day'), yTitle: t('checks.col_rate'), minSpan: 4 * 86400e3 }));
  sec.appendChild(histogram(t('checks.time_distribution'), sum.buckets.map((b, i) => ({
    label: t(`checks.bucket.${BUCKETS[i]}`), count: b.count,
  })), fmtNumber, [t('checks.col_time'), t('checks.col_count')], t('checks.col_count')));
  const times = st.responses.filter((r) => r.acknowledged).map((r) => r.acknowledged - r.time).sort((a, b) => a - b);
  if (times.length) {
    sec.appendChild(el('p', { id: 'median' }, t('checks.median', { time: fmtDuration(times[Math.floor(times.length / 2)]) })));
  }
  return sec;
}

export async function render(main, ctx) {
  const refresh = ctx && ctx.refresh ? ctx.refresh : async () => {};
  if (ctx && ctx.announce) say = ctx.announce;
  const [dir, list, report] = await Promise.all([get('/api/directory'), get('/api/checks'), get('/api/checks/report')]);
  const byId = new Map(report.checks.map((c) => [c.id, c]));
  main.appendChild(el('h1', {}, t('checks.title')));
  const open = openSection(list, refresh);
  if (open) main.appendChild(open);
  main.appendChild(el('section', { class: 'card', id: 'check-new' }, [
    el('h2', {}, t('checks.new')), el('p', { class: 'hint' }, t('checks.new_hint')), startForm(dir, refresh)]));
  main.appendChild(el('section', { class: 'card', id: 'checks-list' }, [
    el('h2', {}, t('checks.current')), checksTable(list, byId, refresh), statusLegend()]));
  main.appendChild(reportSection(report));
  main.appendChild(await ackSection());
}
