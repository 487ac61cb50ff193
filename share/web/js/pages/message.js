// message.js - one message: its fields with labels in the reader's
// language, what was verified (in plain words), who delivered and
// acknowledged it, and the actions: acknowledge, reply, forward (the node
// applies the TLP rule and explains a refusal), request consultations.
//
// A forward shows the original it carries as a message of its own, with
// the original's own verification: the node stores `original` only after
// checking, without trusting the forwarder or the hub, the original's
// signature, its device's certificate, its inclusion in the log and that
// the content key opens exactly the ciphertext that was signed.
//
// Every value is isolated (bdi(), or the catalogue's isolates) so Arabic
// sentences keep ids, dates and fingerprints intact; the sender's subject
// and text carry the language the sender declared (lang), not the page's.
// The route takes the full id or any unique prefix of it (the CLI prints
// 16 hex digits).

import { get, post, ApiError } from '../api.js';
import { t, fmtTime, stateLabel, currentLang, bdi, timeEl, list, refusal } from '../i18n.js';
import { el } from '../dom.js';
import { countdown } from '../countdown.js';
import { urgencyBadge, tlpBadge, langAttr } from './inbox.js';

// Redrawn on news unless the reader has started to act on the page shown
// (the mark is on the view, so a redraw drawn meanwhile is thrown away).
export function live() {
  const v = document.querySelector('#main > .page-message');
  return !(v && v.dataset.busy);
}
// The message just acknowledged here, whose confirmation takes the focus.
let justAcked = null;

function fieldLabel(name, tpl) {
  const f = tpl && tpl.fields ? tpl.fields.find((x) => x.name === name) : null;
  if (f && f.labels && f.labels[currentLang()]) return f.labels[currentLang()];
  return t(`field.${name}`);
}

// A value of a templated message as the node rendered it: a date the
// catalogue stores in UTC is shown in the reader's zone as well; text a
// sender wrote is tagged "(fr) ..." by the renderer and keeps that language.
function renderedValue(v) {
  const iso = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/.exec(v);
  if (iso) return timeEl(Date.parse(iso[1]), { utc: true });
  const tagged = /^\(([a-z]{2,3})\) ([\s\S]*)$/.exec(v);
  if (tagged) return bdi(tagged[2], { lang: tagged[1] });
  return bdi(v);
}

// `rendered` is the node's text: a title line, then "label: value" lines
// (lib/catalogue_fill.c), with values checked against the template.
function renderedFields(text) {
  const lines = text.split('\n').filter((l) => l.length);
  const dl = el('dl', { class: 'fields rendered', id: 'message-rendered' });
  const title = lines.shift();
  for (const line of lines) {
    const at = line.indexOf(': ');
    if (at < 0) { dl.appendChild(el('dd', {}, bdi(line))); continue; }
    dl.appendChild(el('dt', {}, line.slice(0, at)));
    dl.appendChild(el('dd', {}, renderedValue(line.slice(at + 2))));
  }
  return [el('p', { class: 'template-title' }, bdi(title || '')), dl];
}

function fields(m, tpl) {
  const dl = el('dl', { class: 'fields', id: 'message-fields' });
  const add = (name, value, cls) => {
    dl.appendChild(el('dt', {}, fieldLabel(name, tpl)));
    dl.appendChild(el('dd', { class: cls || '' }, value));
  };
  const lang = langAttr(m.lang);
  add('subject', bdi(m.subject, { lang }), 'subject');
  if (m.rendered) add('template', renderedFields(m.rendered));
  else if (m.fields && typeof m.fields === 'object') {
    for (const [k, v] of Object.entries(m.fields)) add(k, bdi(typeof v === 'string' ? v : JSON.stringify(v)));
  }
  add('body', el('pre', { class: 'body', id: 'message-body', lang, dir: 'auto' }, m.body), 'body');
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
      index: v.certified_by.certificate_index,
    })));
  }
  if (v.log_index !== undefined) {
    items.push(el('li', { id: 'verify-logged' }, t('verify.logged', { index: v.log_index, time: fmtTime(v.logged) })));
  } else {
    items.push(el('li', {}, t('verify.not_logged')));
  }
  if (v.inclusion_checked_size !== undefined) {
    items.push(el('li', { id: 'verify-inclusion' }, t('verify.inclusion', {
      size: v.inclusion_checked_size, time: fmtTime(v.inclusion_checked_at),
    })));
  }
  if (v.receipt) items.push(el('li', {}, t('verify.receipt')));
  return el('section', { class: 'card verification', 'aria-labelledby': 'verify-h' }, [
    el('h2', { id: 'verify-h' }, t('verify.title')), el('ul', {}, items),
  ]);
}

// The signer of a forwarded original, from the verified directory (the
// API gives its device key; `original.verification`, when the node sends
// it, is used as is).
function originalSigner(o, dir) {
  if (o.verification && o.verification.signer) return o.verification;
  for (const s of dir.states) {
    const p = s.pocs.find((x) => x.device === o.signer);
    if (p) {
      return { signer: { known: true, name: p.name, role: p.role, state: s.state, fingerprint: p.fingerprint },
        certified_by: { state: s.state, root_fingerprint: s.root_fingerprint, certificate_index: p.index } };
    }
  }
  return { signer: { known: false, fingerprint: o.signer } };
}

function original(m, dir) {
  const o = m.original;
  const c = o.content || {};
  const v = originalSigner(o, dir);
  const lang = langAttr(c.lang);
  const items = [el('li', { class: 'ok', id: 'original-content-ok' }, t('original.content_ok'))];
  if (v.signer.known) {
    items.push(el('li', { id: 'original-signer' }, t('verify.signed_by', {
      name: v.signer.name, role: t(`role.${v.signer.role}`), state: stateLabel(v.signer.state), fingerprint: v.signer.fingerprint,
    })));
  } else {
    items.push(el('li', { id: 'original-signer', class: 'bad' }, t('verify.unknown_signer', { fingerprint: v.signer.fingerprint })));
  }
  if (v.certified_by) {
    items.push(el('li', { id: 'original-certified' }, t('verify.certified_by', {
      state: stateLabel(v.certified_by.state), fingerprint: v.certified_by.root_fingerprint,
      index: v.certified_by.certificate_index,
    })));
  }
  items.push(el('li', { id: 'original-logged' }, t('original.logged', { index: o.index, time: fmtTime(o.time) })));
  return el('section', { class: 'card original', id: 'original', 'aria-labelledby': 'original-h' }, [
    el('h2', { id: 'original-h' }, t('original.title')),
    el('p', { class: 'meta' }, [
      c.urgency ? [urgencyBadge(c.urgency), ' '] : null, c.tlp ? [tlpBadge(c.tlp), ' '] : null,
      t('message.from', { state: stateLabel(o.from) }),
      c.no_forward ? [' ', el('strong', {}, t('original.no_forward'))] : null,
    ]),
    el('dl', { class: 'fields' }, [
      el('dt', {}, t('field.subject')), el('dd', { id: 'original-subject' }, bdi(c.subject || '', { lang })),
      el('dt', {}, t('field.body')), el('dd', {}, el('pre', { class: 'body', id: 'original-body', lang, dir: 'auto' }, c.body || '')),
    ]),
    el('h3', {}, t('original.verified')),
    el('ul', { class: 'verification', id: 'original-verification' }, items),
  ]);
}

// An original nothing on this node checked (a forward stored in the
// format from before forwards carried the original's proof, or the
// forwarder's own claim in its payload): shown as UNVERIFIED, never with
// the verified original's marks (views.c, original_unverified).
function unverifiedOriginal(m) {
  const o = m.original_unverified;
  const c = o.content || {};
  const lang = langAttr(c.lang);
  const why = o.verification && o.verification.why === 'older-format' ? 'older_format' : 'claimed';
  return el('section', { class: 'card original unverified', id: 'original-unverified', 'aria-labelledby': 'original-unverified-h' }, [
    el('h2', { id: 'original-unverified-h' }, t('original.unverified_title')),
    el('p', { class: 'bad', id: 'original-unverified-why' }, t(`original.unverified.${why}`)),
    o.from ? el('p', { class: 'meta' }, t('original.claimed_from', { state: stateLabel(o.from) })) : null,
    el('dl', { class: 'fields' }, [
      el('dt', {}, t('field.subject')), el('dd', { id: 'original-unverified-subject' }, bdi(c.subject || '', { lang })),
      el('dt', {}, t('field.body')), el('dd', {}, el('pre', { class: 'body', lang, dir: 'auto' }, c.body || '')),
    ]),
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
        el('td', { class: 'fpr' }, bdi(r.fingerprint)),
        el('td', { class: 'delivered' }, r.delivered ? timeEl(r.delivered) : t('message.pending')),
        el('td', { class: 'acknowledged' }, r.acknowledged ? [timeEl(r.acknowledged), r.note ? el('div', { class: 'note' }, t('message.note', { note: r.note })) : null] : t('message.pending')),
      ]))),
    ]),
  ]);
}

// An overdue notice (issue 10 item 1): which message awaits this State's
// acknowledgement, from whom, due when, and a link to it; the ack form
// below then acknowledges that message (the node signs it for the notice's
// sender), not the notice.
function noticeCard(m) {
  const n = m.notice;
  return el('section', { class: 'card alarm', id: 'notice' }, [
    el('h2', {}, t('notice.title')),
    el('p', { id: 'notice-text' }, n.held ?
      t('notice.overdue', { subject: n.subject, state: stateLabel(n.from), time: fmtTime(n.deadline) }) :
      t('notice.overdue_unheld', { time: fmtTime(n.deadline) })),
    n.held ? el('p', {}, el('a', { id: 'notice-original', href: `#/message/${n.for}` }, t('notice.open'))) : null,
  ]);
}

function ackForm(m, refresh, announce) {
  if (m.direction !== 'in') return null;
  const notice = m.notice && m.notice.for;
  if (notice && (m.acknowledged || m.notice.acknowledged)) return el('p', { class: 'ok', id: 'acked-note', tabindex: '-1' }, t('notice.acked'));
  if (m.acknowledged && !notice) return el('p', { class: 'ok', id: 'acked-note', tabindex: '-1' }, t('message.you_acked'));
  const note = el('input', { id: 'ack-note', name: 'note' });
  const msg = el('p', { role: 'status', id: 'ack-status' });
  const form = el('form', { class: 'inline', id: 'ack-form' }, [
    el('label', { for: 'ack-note' }, t('message.ack_note')), note,
    el('button', { type: 'submit', id: 'ack-button' }, notice ? t('notice.ack_original') : t('message.ack')), msg,
  ]);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await post(`/api/messages/${m.id}/ack`, { note: note.value });
      justAcked = m.id;
      announce(notice ? t('notice.acked') : t('message.you_acked'));
      await refresh();
    } catch (e) { msg.textContent = refusal(e); msg.dataset.code = (e.body && e.body.code) || ''; msg.className = 'error'; }
  });
  return form;
}

// The forward form offers only the States the node's rules allow
// (forward_allowed, tlp.c), or says why none, before any click.
function forwardForm(m, states, go) {
  const offer = m.forward_allowed;
  if (offer && !offer.allowed) {
    return el('p', { class: 'forward-none', id: 'forward-none' }, [
      el('strong', {}, t('message.forward_none')), ' ', el('span', { id: 'forward-why' }, t(`forward.why.${offer.why}`)),
    ]);
  }
  const to = offer ? offer.targets : states;
  const sel = el('select', { id: 'forward-to' }, to.map((s) => el('option', { value: s }, stateLabel(s))));
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
      out.appendChild(el('p', { class: 'detail' }, refusal(e)));
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
    s.text ? el('p', { dir: 'auto' }, s.text) : null,
    s.agreed ? el('p', { class: 'agreed' }, t('consult.agreed_by', {
      state: stateLabel(s.agreed.state), index: s.agreed.index || 0 })) : null,
  ]))));
  const out = el('div', { role: 'alert', id: 'consult-result' });
  const text = el('textarea', { id: 'consult-text', rows: 3 });
  const act = async (path, body) => {
    out.textContent = '';
    try {
      const r = await post(`/api/messages/${path}`, body);
      if (r.id) go(`#/message/${r.id}`); else await refresh();
    } catch (e) { out.className = 'error'; out.dataset.code = (e.body && e.body.code) || ''; out.textContent = refusal(e); }
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

// The full id of a message from the route's: the id itself, or a unique
// prefix of it among the messages this node holds (the API is asked first,
// as it may resolve prefixes itself).
async function resolve(param) {
  const p = String(param || '').toLowerCase();
  if (/^[0-9a-f]{64}$/.test(p)) return get(`/api/messages/${p}`);
  if (!/^[0-9a-f]{8,63}$/.test(p)) throw new Error(t('message.bad_id', { id: param }));
  try { return await get(`/api/messages/${p}`); } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 400)) throw e;
  }
  const [inb, sent] = await Promise.all([get('/api/inbox'), get('/api/sent')]);
  const ids = [...new Set([...inb, ...sent].map((x) => x.id).filter((x) => x.startsWith(p)))];
  if (ids.length === 0) throw new Error(t('message.no_such', { id: p }));
  if (ids.length > 1) throw new Error(t('message.ambiguous', { id: p, n: ids.length }));
  return get(`/api/messages/${ids[0]}`);
}

// When the answer is due: emphasised with a live countdown until the
// message is acknowledged, then said plainly.
function due(m) {
  if (!m.deadline) return null;
  if (m.direction === 'in' && m.acknowledged) {
    return el('span', { id: 'deadline', class: 'deadline is-done' }, t('message.deadline_met', { time: fmtTime(m.deadline) }));
  }
  return el('strong', { id: 'deadline', class: 'deadline' }, [
    t('message.deadline', { time: fmtTime(m.deadline) }), ' ',
    el('span', { class: 'utc' }, t('time.utc_paren', { time: new Intl.DateTimeFormat(currentLang(), { timeStyle: 'short', timeZone: 'UTC' }).format(new Date(m.deadline)) })),
    ' ', countdown(m.deadline, { id: 'countdown' }),
  ]);
}

export async function render(main, ctx) {
  const { params, go, refresh, announce } = ctx;
  const touch = () => { main.dataset.busy = '1'; };
  main.addEventListener('input', touch);
  main.addEventListener('change', touch);
  main.addEventListener('submit', touch);
  const [m, tpls, dir] = await Promise.all([resolve(params[0]), get('/api/templates'), get('/api/directory')]);
  const tpl = (tpls.templates || []).find((x) => x.id === (m.template || 'free-text'));
  const states = dir.states.map((s) => s.state);
  const lang = langAttr(m.lang);
  ctx.title = m.subject || t('message.untitled');
  // a templated message's headline: the template's title in the reader's
  // language, the sender's subject as the heading below it
  if (m.template && m.template !== 'free-text' && m.template_title) {
    main.appendChild(el('p', { class: 'template-title', id: 'template-title' }, m.template_title));
  }
  main.appendChild(el('h1', { id: 'message-subject', lang, dir: 'auto' }, m.subject));
  main.appendChild(el('p', { class: 'meta' }, [
    urgencyBadge(m.urgency), ' ', tlpBadge(m.tlp), ' ',
    m.direction === 'in' ? t('message.from', { state: stateLabel(m.from) }) :
      t('message.to', { states: list(m.to.map(stateLabel)) }),
    ' ', t('message.sent_at', { time: fmtTime(m.sent) }),
    ' ', el('span', { class: 'short-id' }, t('message.short_id', { id: m.id.slice(0, 16) })),
    m.deadline ? [' ', due(m)] : null,
  ]));
  if (m.notice && m.notice.for) main.appendChild(noticeCard(m));
  main.appendChild(el('section', { class: 'card' }, fields(m, tpl)));
  if (m.original) main.appendChild(original(m, dir));
  else if (m.original_unverified) main.appendChild(unverifiedOriginal(m));
  if (!m.original && m.original_error) {
    main.appendChild(el('p', { class: 'error', id: 'original-error' }, t('original.error', { error: m.original_error })));
  }
  if (m.attachments && m.attachments.length) {
    main.appendChild(el('section', { class: 'card' }, [el('h2', {}, t('message.attachments')),
      el('ul', { id: 'attachments' }, m.attachments.map((a) => el('li', {},
        el('a', { href: `/api/messages/${m.id}/attachments/${a.n}`, download: a.name, class: 'attachment' },
          t('message.attachment', { name: a.name, size: a.size })))))]));
  }
  if (m.thread && m.thread.length) {
    main.appendChild(el('section', { class: 'card' }, [el('h2', {}, t('message.thread')),
      el('ul', { id: 'thread' }, m.thread.map((x) => el('li', {}, [
        x.id === m.id ? el('strong', { dir: 'auto' }, x.subject) : el('a', { href: `#/message/${x.id}`, dir: 'auto' }, x.subject),
        ' ', el('span', { class: 'meta' }, t('message.thread_item', { state: stateLabel(x.from), time: fmtTime(x.time), id: x.id.slice(0, 16) })),
      ])))]));
  }
  if (m.consultation) main.appendChild(consultation(m, refresh, go));
  main.appendChild(verification(m));
  if (m.recipients) main.appendChild(recipients(m));
  const actions = el('section', { class: 'card actions' }, [el('h2', {}, t('message.actions'))]);
  actions.appendChild(ackForm(m, refresh, announce) || el('span'));
  if (m.direction === 'in') {
    actions.appendChild(el('p', {}, [
      el('a', { class: 'button', id: 'reply', href: `#/compose?to=${m.from}&reply=${m.id}` }, t('message.reply')), ' ',
      el('a', { class: 'button', id: 'consult', href: `#/compose?to=${m.from}&consult=${m.id}` }, t('message.consult')),
    ]));
  }
  actions.appendChild(forwardForm(m, states, go));
  main.appendChild(actions);
  // The confirmation takes the focus once, when it is really shown: a live
  // redraw may replace this view before it is, and then draws it again.
  const acked = main.querySelector('#acked-note');
  if (justAcked === m.id && m.acknowledged && acked) {
    ctx.focus = acked;
    acked.addEventListener('focus', () => { if (justAcked === m.id) justAcked = null; }, { once: true });
  }
}
