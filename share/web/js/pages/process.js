// process.js - the process (issue 13, docs/process.md): the proposals and
// applications under silence procedure, and one of them with its text, its
// positions, its deadline, its outcome and the buttons this State may use.
//
// Everything comes from GET /api/process, the node's one read model of the
// process (node/core/views.c process_view): the outcomes are lib's,
// computed by this node from the log it proved complete, never the hub's
// word; the buttons are offered exactly when the decision's "may" says the
// rules (lib's proc_may_position and proc_may_withdraw, the hub's own
// check) allow this State, and a refusal that comes anyway (the deadline
// passed while the page was open) is said in the rule's words.  Times are
// the user's zone, with UTC beside the deadline; the countdown is the
// shell's (countdown.js).  Texts are shown as text, each in an element
// with its own lang and dir="auto", so an Arabic text in an English page
// (or the reverse) keeps its direction.
//
// The page is live (the shell redraws it when the store moves), except
// while the reason field has the focus, whose text is kept across redraws.

import { get, post } from '../api.js';
import { t, currentLang, stateLabel, bdi, timeEl, list, fmtNumber, fmtTime } from '../i18n.js';
import { el } from '../dom.js';
import { countdown } from '../countdown.js';

const STATUS = ['open', 'adopted', 'not-adopted', 'accredited', 'not-accredited', 'withdrawn'];
const FLAG = { open: 'unacked', adopted: 'acked', accredited: 'acked', 'not-adopted': 'overdue', 'not-accredited': 'overdue', withdrawn: 'unread' };

let result = null;	// {key, vars, error?} of the last action, on the matter shown
let shownId = null;
const reasons = new Map();	// matter id -> the reason being written
let say = () => {};

export function live() {
  const r = document.getElementById('proc-reason');
  return !(r && r === document.activeElement);
}

const shortId = (id) => id.slice(0, 16);
const statusText = (s) => (STATUS.includes(s) ? t(`process.status.${s}`) : s);

function langName(code) {
  try { return new Intl.DisplayNames([currentLang()], { type: 'language' }).of(code); } catch (e) { return code; }
}

function byText(by) {
  return by === 'operator' ? t('process.by_operator') : stateLabel(by);
}

function flag(d) {
  return el('span', { class: `flag ${FLAG[d.status] || ''}`, 'data-status': d.status }, statusText(d.status));
}

function positionsText(d) {
  return [t('process.objections', { n: d.objections }), t('process.supports', { n: d.supports }),
    t('process.members', { n: d.members })].join(t('common.list_sep'));
}

function deadlineCell(d, pastWait) {
  const out = [timeEl(d.deadline)];
  if (d.status === 'open' && !pastWait) out.push(' ', countdown(d.deadline));
  return out;
}

// Past the deadline but still open: the node waits for a checkpoint past it.
const waiting = (d, v) => d.status === 'open' && d.deadline <= v.act_time;

function listTable(v) {
  // open ones first, then the newest
  const ds = [...v.decisions].sort((a, b) => (b.status === 'open') - (a.status === 'open') || b.index - a.index);
  if (!ds.length) return el('p', { class: 'empty', id: 'process-empty' }, t('process.none'));
  const head = ['col_what', 'col_body', 'col_by', 'col_status', 'col_deadline', 'col_positions'];
  return el('table', { class: 'list', id: 'process-table' }, [
    el('caption', { class: 'sr-only' }, t('process.list')),
    el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, t(`process.${h}`))))),
    el('tbody', {}, ds.map((d) => el('tr', { 'data-id': d.id, class: d.status === 'open' ? 'is-open' : null }, [
      el('td', {}, el('a', { href: `#/process/${d.id}`, id: `proc-link-${shortId(d.id)}` },
        [t(`process.kind.${d.kind}`), ' ', bdi(shortId(d.id), { class: 'fpr' })])),
      el('td', {}, bdi(d.body)),
      el('td', {}, byText(d.by)),
      el('td', { class: 'status' }, [flag(d), waiting(d, v) ? el('span', { class: 'hint' }, t('process.waiting_short')) : null]),
      el('td', { class: 'deadline' }, deadlineCell(d, waiting(d, v))),
      el('td', { class: 'positions' }, positionsText(d)),
    ]))),
  ]);
}

function asOf(v) {
  return el('p', { class: 'hint', id: 'process-as-of' }, t('process.as_of', { time: fmtTime(v.as_of), size: v.verified_size }));
}

function decisionText(d) {
  if (d.status === 'withdrawn') {
    return t('process.decision.withdrawn', { by: byText(d.withdrawn.by), time: fmtTime(d.withdrawn.time) });
  }
  if (d.status === 'not-adopted' || d.status === 'not-accredited') return t(`process.decision.${d.status}`, { n: d.objections });
  return t(`process.decision.${d.status}`);
}

function states(codes) {
  return codes && codes.length ? list(codes.map(stateLabel)) : t('common.none');
}

async function act(path, body, doneKey, refresh) {
  try {
    const r = await post(path, body);
    result = { key: doneKey, vars: { id: shortId(r.id) } };
  } catch (e) {
    result = { key: 'common.error', vars: { error: e.message }, error: true };
  }
  say(t(result.key, result.vars));
  await refresh(true);
}

function actions(d, refresh) {
  const sec = el('section', { class: 'card', id: 'proc-actions', 'aria-labelledby': 'proc-actions-h' }, [
    el('h2', { id: 'proc-actions-h' }, t('process.actions'))]);
  if (d.own) sec.appendChild(el('p', { id: 'proc-own' }, t(`process.own.${d.own}`)));
  const may = d.may || {};
  const out = el('p', { role: 'status', id: 'proc-result' });
  if (result) { out.textContent = t(result.key, result.vars); out.className = result.error ? 'error' : 'ok'; }
  if (!may.object && !may.support && !may.withdraw) {
    sec.appendChild(el('p', { class: 'hint', id: 'proc-no-action' }, t('process.no_action')));
    sec.appendChild(out);
    return sec;
  }
  const path = `/api/process/${d.id}`;
  const row = el('div', { class: 'actions' });
  if (may.object) {
    const reason = el('textarea', { id: 'proc-reason', rows: 3, value: reasons.get(d.id) || '',
      oninput: (e) => reasons.set(d.id, e.target.value) });
    sec.appendChild(el('div', { class: 'field' }, [el('label', { for: 'proc-reason' }, t('process.reason')), reason]));
    row.appendChild(el('button', { type: 'button', id: 'proc-object', onclick: async (e) => {
      e.target.disabled = true;
      const text = (reasons.get(d.id) || '').trim();
      reasons.delete(d.id);
      await act(`${path}/position`, text ? { stance: 'object', reason: text } : { stance: 'object' }, 'process.object_done', refresh);
    } }, t('process.object')));
  }
  if (may.support) {
    row.appendChild(el('button', { type: 'button', id: 'proc-support', onclick: async (e) => {
      e.target.disabled = true;
      await act(`${path}/position`, { stance: 'support' }, 'process.support_done', refresh);
    } }, t('process.support')));
  }
  if (may.withdraw) {
    row.appendChild(el('button', { type: 'button', id: 'proc-withdraw', onclick: async (e) => {
      e.target.disabled = true;
      await act(`${path}/withdraw`, {}, 'process.withdraw_done', refresh);
    } }, t(`process.withdraw.${d.kind}`)));
  }
  sec.appendChild(row);
  sec.appendChild(out);
  return sec;
}

function detail(d, v, refresh) {
  const w = waiting(d, v);
  const dl = el('dl', { class: 'fields', id: 'proc-fields' }, [
    el('dt', {}, t('process.field.status')), el('dd', { id: 'proc-status' }, [flag(d), ' ', decisionText(d)]),
    el('dt', {}, t('process.field.body')), el('dd', {}, bdi(d.body)),
    el('dt', {}, t('process.field.by')), el('dd', {}, byText(d.by)),
    el('dt', {}, t('process.field.logged')), el('dd', {}, timeEl(d.time)),
    el('dt', {}, t('process.field.deadline')), el('dd', { id: 'proc-deadline' }, [timeEl(d.deadline, { utc: true }),
      d.status === 'open' && !w ? [' ', countdown(d.deadline, { id: 'proc-countdown' })] : null]),
  ]);
  const parts = [dl];
  if (w) parts.push(el('p', { class: 'hint', id: 'proc-waiting' }, t('process.waiting')));
  if (d.kind === 'proposal') {
    const texts = d.text ? Object.entries(d.text).sort(([a], [b]) => (b === d.lang) - (a === d.lang)) : [];
    parts.push(el('section', { class: 'card', id: 'proc-text', 'aria-labelledby': 'proc-text-h' }, [
      el('h2', { id: 'proc-text-h' }, t('process.text')),
      texts.length ? texts.map(([l, s]) => el('div', { class: 'proc-version', 'data-lang': l }, [
        el('h3', {}, l === d.lang ? t('process.text_original', { lang: langName(l) }) : t('process.text_lang', { lang: langName(l) })),
        el('p', { lang: l, dir: 'auto', class: 'body' }, s)])) :
        el('p', { class: 'hint' }, t('process.text_sealed')),
    ]));
  } else if (d.organisation) {
    parts.push(el('section', { class: 'card', id: 'proc-org' }, [el('h2', {}, t('process.organisation')),
      el('p', {}, bdi(d.organisation.name)), d.organisation.website ? el('p', {}, bdi(d.organisation.website)) : null,
      d.organisation.about ? el('p', { dir: 'auto' }, d.organisation.about) : null]));
  }
  parts.push(el('section', { class: 'card', id: 'proc-positions', 'aria-labelledby': 'proc-positions-h' }, [
    el('h2', { id: 'proc-positions-h' }, t('process.positions')),
    el('p', { id: 'proc-counts' }, positionsText(d)),
    el('dl', { class: 'fields' }, [
      el('dt', {}, t('process.objecting')),
      el('dd', { id: 'proc-objecting' }, Array.isArray(d.objecting) ? states(d.objecting) :
        (d.objections ? t('process.objecting_chair') : t('common.none'))),
      el('dt', {}, t('process.supporting')), el('dd', { id: 'proc-supporting' }, states(d.supporting)),
    ]),
    el('p', { class: 'hint' }, t('process.no_reason_needed')),
  ]));
  parts.push(actions(d, refresh));
  const pr = d.proof || {};
  parts.push(el('p', { class: 'hint', id: 'proc-proof' }, [t('process.proof', { index: pr.record }),
    pr.positions && pr.positions.length ? [' ', t('process.proof_positions', { list: list(pr.positions.map(fmtNumber)) })] : null,
    typeof pr.withdrawal === 'number' ? [' ', t('process.proof_withdrawal', { index: pr.withdrawal })] : null]));
  return parts;
}

export async function render(main, ctx) {
  const refresh = ctx && ctx.refresh ? ctx.refresh : async () => {};
  if (ctx && ctx.announce) say = ctx.announce;
  const id = ctx && ctx.params && ctx.params[0];
  const v = await get('/api/process');
  if (!id) {
    result = null;
    shownId = null;
    main.appendChild(el('h1', {}, t('process.title')));
    main.appendChild(el('p', { class: 'hint' }, t('process.hint')));
    main.appendChild(asOf(v));
    main.appendChild(listTable(v));
    return;
  }
  const d = v.decisions.find((x) => x.id === id || x.id.startsWith(id));
  if (shownId !== id) { result = null; shownId = id; }
  main.appendChild(el('p', {}, el('a', { href: '#/process', id: 'proc-back' }, t('process.back'))));
  if (!d) {
    main.appendChild(el('h1', {}, t('process.title')));
    main.appendChild(el('p', { class: 'error', id: 'proc-not-found' }, t('process.not_found')));
    return;
  }
  main.appendChild(el('h1', { id: 'proc-h' }, [t(`process.kind.${d.kind}`), ' ', bdi(shortId(d.id), { class: 'fpr' })]));
  main.appendChild(asOf(v));
  for (const p of detail(d, v, refresh)) main.appendChild(p);
}
