// message.js - one message: its fields with labels in the reader's
// language, what was verified (in plain words), who delivered and
// acknowledged it, and the actions: acknowledge, reply, forward (the node
// applies the TLP rule and explains a refusal), request consultations.

import { get, post } from '../api.js';
import { t, fmtTime, fmtNumber, stateLabel, currentLang } from '../i18n.js';
import { el } from '../dom.js';
import { urgencyBadge, tlpBadge } from './inbox.js';

// Redrawn on news unless the reader has started to act on the page.
let busy = false;
export function live() { return !busy; }

function fieldLabel(name, tpl) {
  const f = tpl && tpl.fields ? tpl.fields.find((x) => x.name === name) : null;
  if (f && f.labels && f.labels[currentLang()]) return f.labels[currentLang()];
  return t(`field.${name}`);
}

function fields(m, tpl) {
  const dl = el('dl', { class: 'fields', id: 'message-fields' });
  const add = (name, value, cls) => {
    dl.appendChild(el('dt', {}, fieldLabel(name, tpl)));
    dl.appendChild(el('dd', { class: cls || '' }, value));
  };
  add('subject', m.subject, 'subject');
  if (m.rendered) add('template', el('pre', { class: 'rendered', id: 'message-rendered' }, m.rendered));
  else if (m.fields && typeof m.fields === 'object') {
    for (const [k, v] of Object.entries(m.fields)) add(k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  add('body', el('pre', { class: 'body', id: 'message-body' }, m.body), 'body');
  return dl;
}

function verification(m) {
  const v = m.verification || {};
  const items = [];
  items.push(el('li', { class: v.signature_valid ? 'ok' : 'bad', id: 'verify-signature' },
    v.signature_valid ? t('verify.signature_ok') : t('verify.signature_bad')));
  if (v.signer && v.signer.known) {
    items.push(el('li', { id: 'verify-signer' }, t('verify.signed_by', {
      name: v.signer.name, role: t(`role.${v.signer.role}`), state: stateLabel(v.signer.state), fingerprint: v.signer.fingerprint,
    })));
  } else if (v.signer) {
    items.push(el('li', { class: 'bad' }, t('verify.unknown_signer', { fingerprint: v.signer.fingerprint })));
  }
  if (v.certified_by) {
    items.push(el('li', { id: 'verify-certified' }, t('verify.certified_by', {
      state: stateLabel(v.certified_by.state), fingerprint: v.certified_by.root_fingerprint,
      index: fmtNumber(v.certified_by.certificate_index),
    })));
  }
  if (v.log_index !== undefined) {
    items.push(el('li', { id: 'verify-logged' }, t('verify.logged', { index: fmtNumber(v.log_index), time: fmtTime(v.logged) })));
  } else {
    items.push(el('li', {}, t('verify.not_logged')));
  }
  if (v.inclusion_checked_size !== undefined) {
    items.push(el('li', { id: 'verify-inclusion' }, t('verify.inclusion', {
      size: fmtNumber(v.inclusion_checked_size), time: fmtTime(v.inclusion_checked_at),
    })));
  }
  if (v.receipt) items.push(el('li', {}, t('verify.receipt')));
  return el('section', { class: 'card verification', 'aria-labelledby': 'verify-h' }, [
    el('h2', { id: 'verify-h' }, t('verify.title')), el('ul', {}, items),
  ]);
}

function recipients(m) {
  return el('section', { class: 'card' }, [
    el('h2', {}, t('message.recipients')),
    el('table', { class: 'list', id: 'recipients-table' }, [
      el('thead', {}, el('tr', {}, ['message.r_state', 'message.r_poc', 'message.r_fingerprint', 'message.r_delivered', 'message.r_acknowledged']
        .map((k) => el('th', { scope: 'col' }, t(k))))),
      el('tbody', {}, m.recipients.map((r) => el('tr', { 'data-state': r.state || '' }, [
        el('td', {}, r.state ? stateLabel(r.state) : t('common.unknown')),
        el('td', {}, r.name ? t('message.r_who', { name: r.name, role: t(`role.${r.role}`) }) : t('common.unknown')),
        el('td', { class: 'fpr' }, r.fingerprint),
        el('td', { class: 'delivered' }, r.delivered ? fmtTime(r.delivered) : t('message.pending')),
        el('td', { class: 'acknowledged' }, r.acknowledged ? [fmtTime(r.acknowledged), r.note ? el('div', { class: 'note' }, t('message.note', { note: r.note })) : null] : t('message.pending')),
      ]))),
    ]),
  ]);
}

function ackForm(m, refresh) {
  if (m.direction !== 'in') return null;
  if (m.acknowledged) return el('p', { class: 'ok', id: 'acked-note' }, t('message.you_acked'));
  const note = el('input', { id: 'ack-note', name: 'note' });
  const msg = el('p', { role: 'status', id: 'ack-status' });
  const form = el('form', { class: 'inline', id: 'ack-form' }, [
    el('label', { for: 'ack-note' }, t('message.ack_note')), note,
    el('button', { type: 'submit', id: 'ack-button' }, t('message.ack')), msg,
  ]);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await post(`/api/messages/${m.id}/ack`, { note: note.value });
      await refresh();
    } catch (e) { msg.textContent = t('common.error', { error: e.message }); msg.className = 'error'; }
  });
  return form;
}

function forwardForm(m, states, go) {
  const sel = el('select', { id: 'forward-to' }, states.map((s) => el('option', { value: s }, stateLabel(s))));
  const note = el('input', { id: 'forward-note' });
  const out = el('div', { role: 'alert', id: 'forward-result' });
  const form = el('form', { class: 'inline', id: 'forward-form' }, [
    el('label', { for: 'forward-to' }, t('message.forward_to')), sel,
    el('label', { for: 'forward-note' }, t('message.forward_note')), note,
    el('button', { type: 'submit', id: 'forward-button' }, t('message.forward')), out,
  ]);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.textContent = '';
    try {
      const r = await post(`/api/messages/${m.id}/forward`, { to: [sel.value], note: note.value || undefined });
      go(`#/message/${r.id}`);
    } catch (e) {
      out.className = 'error refusal';
      out.appendChild(el('strong', {}, e.status === 403 ? t('message.forward_refused') : t('message.forward_failed')));
      out.appendChild(el('p', {}, e.status === 403 ? t(`tlp.rule.${(m.tlp || '').toLowerCase().replace('+', '-')}`) : ''));
      out.appendChild(el('p', { class: 'detail' }, t('common.node_says', { error: e.message })));
    }
  });
  return form;
}

// A consultation: its steps so far, and the next step this side may take
// (the requested side answers a request; either side writes the outcome;
// the side that did not write it agrees to it, signing its exact bytes).
function consultation(m, refresh, go) {
  const c = m.consultation;
  const box = el('section', { class: 'card', id: 'consultation' }, [el('h2', {}, t('consult.title'))]);
  box.appendChild(el('ol', { id: 'consult-steps' }, c.steps.map((s) => el('li', { 'data-step': s.step }, [
    el('strong', {}, t(`consult.step.${s.step}`)), ' ',
    t('consult.by', { state: stateLabel(s.from), time: fmtTime(s.time) }),
    s.text ? el('p', {}, s.text) : null,
    s.agreed ? el('p', { class: 'agreed' }, t('consult.agreed_by', {
      state: stateLabel(s.agreed.state), index: fmtNumber(s.agreed.index || 0) })) : null,
  ]))));
  const out = el('div', { role: 'alert', id: 'consult-result' });
  const text = el('textarea', { id: 'consult-text', rows: 3 });
  const act = async (path, body) => {
    out.textContent = '';
    try {
      const r = await post(`/api/messages/${path}`, body);
      if (r.id) go(`#/message/${r.id}`); else await refresh();
    } catch (e) { out.className = 'error'; out.textContent = t('common.error', { error: e.message }); }
  };
  const button = (id, label, fn) => { const b = el('button', { type: 'button', id }, label); b.addEventListener('click', fn); return b; };
  const buttons = [];
  if (c.step === 'request') {
    if (m.direction === 'in') {
      buttons.push(button('consult-accept', t('consult.accept'), () => act(`${m.id}/consult`, { step: 'accept', body: text.value })));
      buttons.push(button('consult-decline', t('consult.decline'), () => act(`${m.id}/consult`, { step: 'decline', body: text.value })));
      buttons.push(button('consult-propose', t('consult.propose'), () => act(`${m.id}/consult`, { step: 'propose', body: text.value })));
    }
    buttons.push(button('consult-outcome', t('consult.outcome'), () => act(`${m.id}/consult`, { step: 'outcome', body: text.value })));
  }
  if (c.step === 'outcome' && m.direction === 'in') {
    const mine = c.steps.find((s) => s.id === m.id);
    if (!mine || !mine.agreed) buttons.push(button('consult-agree', t('consult.agree'), () => act(`${m.id}/agree`, { note: text.value })));
  }
  if (buttons.length) {
    box.append(el('label', { for: 'consult-text' }, t('consult.text')), text, el('p', {}, buttons), out);
  }
  return box;
}

export async function render(main, { params, go, refresh }) {
  busy = false;
  main.addEventListener('input', () => { busy = true; });
  main.addEventListener('submit', () => { busy = true; });
  const [m, tpls, dir] = await Promise.all([
    get(`/api/messages/${params[0]}`), get('/api/templates'), get('/api/directory'),
  ]);
  const tpl = (tpls.templates || []).find((x) => x.id === (m.template || 'free-text'));
  const states = dir.states.map((s) => s.state);
  main.appendChild(el('h1', { id: 'message-subject' }, m.subject));
  main.appendChild(el('p', { class: 'meta' }, [
    urgencyBadge(m.urgency), ' ', tlpBadge(m.tlp), ' ',
    m.direction === 'in' ? t('message.from', { state: stateLabel(m.from) }) :
      t('message.to', { states: m.to.map(stateLabel).join(t('common.list_sep')) }),
    ' ', t('message.sent_at', { time: fmtTime(m.sent) }),
    m.deadline ? [' ', el('strong', {}, t('message.deadline', { time: fmtTime(m.deadline) }))] : null,
  ]));
  main.appendChild(el('section', { class: 'card' }, fields(m, tpl)));
  if (m.attachments && m.attachments.length) {
    main.appendChild(el('section', { class: 'card' }, [el('h2', {}, t('message.attachments')),
      el('ul', { id: 'attachments' }, m.attachments.map((a) => el('li', {},
        el('a', { href: `/api/messages/${m.id}/attachments/${a.n}`, download: a.name, class: 'attachment' },
          t('message.attachment', { name: a.name, size: fmtNumber(a.size) })))))]));
  }
  if (m.thread && m.thread.length) {
    main.appendChild(el('section', { class: 'card' }, [el('h2', {}, t('message.thread')),
      el('ul', {}, m.thread.map((x) => el('li', {}, el('a', { href: `#/message/${x.id}` }, x.subject))))]));
  }
  if (m.consultation) main.appendChild(consultation(m, refresh, go));
  main.appendChild(verification(m));
  if (m.recipients) main.appendChild(recipients(m));
  const actions = el('section', { class: 'card actions' }, [el('h2', {}, t('message.actions'))]);
  actions.appendChild(ackForm(m, refresh) || el('span'));
  if (m.direction === 'in') {
    actions.appendChild(el('p', {}, [
      el('a', { class: 'button', id: 'reply', href: `#/compose?to=${m.from}&reply=${m.id}` }, t('message.reply')), ' ',
      el('a', { class: 'button', id: 'consult', href: `#/compose?to=${m.from}&consult=${m.id}` }, t('message.consult')),
    ]));
  }
  actions.appendChild(forwardForm(m, states, go));
  main.appendChild(actions);
}
