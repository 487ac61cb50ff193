// compose.js - write and send a message: template, its fields, audience,
// urgency, TLP and language, and before sending the list of every device
// that will receive it (the node's own rule: each current device of each
// chosen State).
//
// The form checks what it can before anything is signed, and says what is
// wrong next to the field, in the user's language: a required field left
// empty (choice fields start on "choose", never on a real value), a date
// that is not one.  The node checks everything again (catalogue_fill);
// its refusal names the field, and is shown next to it when it does.
//
// Sizes.  A field with a limit (the subject's 300 bytes and the body's
// 512 KiB of protocol.md section 3, which every node applies) shows its
// size in bytes as UTF-8 counts them, not characters (a character of
// Chinese or Arabic is two or three bytes), as the user types; over the
// limit the counter says so and the send is refused before anything is
// signed, with the code the node would answer (too-long).  Files do not
// go from this page: the hint names the command line's limit.
//
// Unconfirmed devices.  A device certified by a root key its State has
// not endorsed (an operator's doing, protocol.md section 2) gets no mail
// unless the sender asks: the recipient list shows such devices flagged
// and left out, counts them, and offers "include unconfirmed devices"
// with a warning; the send then carries "unconfirmed": true.

import { get, post } from '../api.js';
import { t, currentLang, stateLabel, LANGS, list, ltr, plainText, fmtBytes, refusal } from '../i18n.js';
import { el, clear } from '../dom.js';

const URGENCIES = ['flash', 'urgent', 'priority', 'routine'];
const MAX_FILES = 32;	// attachments per message (lib/blob.h BLOB_MAX_ATTACH)

// Bytes of s as UTF-8, what the node's limits count.
export function utf8Bytes(s) { return new TextEncoder().encode(s).length; }
const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

function label(f) {
  if (f.labels && f.labels[currentLang()]) return f.labels[currentLang()];
  return t(`field.${f.name}`);
}

function help(f) {
  return f.help && f.help[currentLang()] ? f.help[currentLang()] : null;
}

function tplName(tp) {
  if (tp.names && tp.names[currentLang()]) return tp.names[currentLang()];
  return t(`template.${tp.id}`);
}

function choiceText(f, c) {
  const v = typeof c === 'string' ? c : c.value;
  if (v === '') return t('compose.choice_none');
  return c.labels && c.labels[currentLang()] ? c.labels[currentLang()] : t(`choice.${f.name}.${v}`);
}

// The user's zone in words ("Central European Standard Time"), for the
// date-time fields, whose values are sent in UTC.
function zoneName() {
  const p = new Intl.DateTimeFormat(currentLang(), { timeZoneName: 'long' }).formatToParts(new Date());
  const z = p.find((x) => x.type === 'timeZoneName');
  return z ? z.value : Intl.DateTimeFormat().resolvedOptions().timeZone;
}

// "2026-11-22T09:30" (datetime-local, the user's zone) to the catalogue's
// "2026-11-22T08:30:00Z"; null if it is not a date.
function toUtc(local) {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : `${d.toISOString().slice(0, 19)}Z`;
}

// One field: its control, its label (with "required" in words), its help
// text, and a place for its error, all tied together by ids so a screen
// reader reads them with the control.  `kind` and `multiple` are the
// catalogue's (docs/templates.md); a choice field never starts on a real
// value: a hurried sender must pick one.
function fieldInput(f, value, dir) {
  const id = `field-${f.name}`;
  const kind = f.kind || (f.type === 'select' ? 'choice' : f.type);
  const describe = [];
  const hint = help(f);
  const extra = [];
  if (hint) { extra.push(el('p', { class: 'hint', id: `${id}-help` }, hint)); describe.push(`${id}-help`); }
  if (kind === 'datetime') {
    extra.push(el('p', { class: 'hint', id: `${id}-format` }, t('compose.datetime_format', { zone: zoneName() })));
    describe.push(`${id}-format`);
  }
  if (f.max && (f.type === 'text' || f.type === 'textarea')) {
    extra.push(el('p', { class: 'hint counter', id: `${id}-count`, 'data-max': f.max }));
    describe.push(`${id}-count`);
  }
  if (f.name === 'body') {
    extra.push(el('p', { class: 'hint', id: `${id}-files` }, t('compose.attach_limits', { n: MAX_FILES })));
    describe.push(`${id}-files`);
  }
  const err = el('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const common = { 'data-field': f.name, 'data-kind': kind, 'data-tf': f.template_field ? '1' : null,
    'data-required': f.required ? '1' : null, 'aria-required': f.required ? 'true' : null,
    'aria-describedby': describe.join(' ') || null };
  const lbl = [label(f), f.required ? [' ', el('span', { class: 'required' }, t('compose.required'))] : null];
  const many = (items) => {	// several values: a group of check boxes
    const box = el('fieldset', Object.assign({ id, class: 'multi' }, common, { 'aria-required': null }), [
      el('legend', {}, lbl),
      ...items.map((it, i) => el('div', { class: 'check' }, [
        el('input', { type: 'checkbox', id: `${id}-${i}`, value: it.value, name: f.name, checked: (value || []).includes(it.value) }),
        el('label', { for: `${id}-${i}`, lang: it.lang || null }, it.text)])),
    ]);
    return [box, ...extra, err];
  };
  if (kind === 'choice' && f.multiple) {
    return many((f.choices || []).filter((c) => (typeof c === 'string' ? c : c.value) !== '')
      .map((c) => ({ value: typeof c === 'string' ? c : c.value, text: choiceText(f, c) })));
  }
  if (kind === 'states') {
    return many(dir.states.map((s) => ({ value: s.state, text: stateLabel(s.state) })));
  }
  let input;
  if (kind === 'choice') {
    const opts = (f.choices || []).map((c) => el('option', { value: typeof c === 'string' ? c : c.value }, choiceText(f, c)));
    if (f.required) opts.unshift(el('option', { value: '', selected: true }, t('compose.choose')));
    input = el('select', Object.assign({ id, name: f.name }, common), opts);
  } else if (kind === 'datetime') {
    input = el('input', Object.assign({ id, name: f.name, type: 'datetime-local', step: 60 }, common));
  } else if (f.type === 'textarea') {
    input = el('textarea', Object.assign({ id, name: f.name, rows: f.template_field ? 3 : 10, dir: 'auto', 'data-max': f.max || null }, common));
  } else {
    input = el('input', Object.assign({ id, name: f.name, dir: 'auto', 'data-max': f.max || null }, common));
  }
  if (value && typeof value === 'string') input.value = value;
  return [el('label', { for: id }, lbl), input, ...extra, err];
}

// The counter under a field with a limit: its size in bytes against the
// limit, marked when over.  Returns {used, max} or null.
function drawCounter(box) {
  const c = box.querySelector('[data-field]');
  const out = box.querySelector('.counter');
  if (!out || !c.dataset.max) return null;
  const used = utf8Bytes(c.value);
  const max = Number(c.dataset.max);
  const over = used > max;
  out.textContent = t(over ? 'compose.size_over' : 'compose.size', { used: fmtBytes(used), max: fmtBytes(max) });
  out.classList.toggle('over', over);
  out.dataset.bytes = String(used);
  return { used, max, over };
}

// The value a field holds, as the API takes it (a string, a list, or
// undefined when empty), or {error} naming what is wrong, in words.
function fieldValue(box) {
  const c = box.querySelector('[data-field]');
  const kind = c.dataset.kind;
  let v;
  if (c.tagName === 'FIELDSET') v = [...c.querySelectorAll('input:checked')].map((x) => x.value);
  else v = c.value.trim();
  const empty = Array.isArray(v) ? v.length === 0 : v === '';
  if (empty) return c.dataset.required ? { control: c, error: t('compose.error_required') } : { control: c };
  const size = drawCounter(box);
  if (size && size.over) {
    return { control: c, code: 'too-long', error: t('error.too-long-bytes', { used: fmtBytes(size.used), max: fmtBytes(size.max) }) };
  }
  if (kind === 'datetime') {
    const u = toUtc(v);
    return u ? { control: c, value: u } : { control: c, error: t('compose.error_datetime') };
  }
  return { control: c, value: v };
}

function showError(box, text) {
  const c = box.querySelector('[data-field]');
  const err = box.querySelector('.field-error');
  const ids = (c.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== err.id);
  if (text) {
    err.textContent = text;
    err.hidden = false;
    c.setAttribute('aria-invalid', 'true');
    ids.unshift(err.id);
  } else {
    err.textContent = '';
    err.hidden = true;
    c.removeAttribute('aria-invalid');
  }
  if (ids.length) c.setAttribute('aria-describedby', ids.join(' ')); else c.removeAttribute('aria-describedby');
}

export async function render(main, ctx) {
  const { query, go } = ctx;
  const [tpls, dir, me] = await Promise.all([get('/api/templates'), get('/api/directory'), get('/api/session')]);
  const templates = tpls.templates || [];
  const to0 = new Set((query.get('to') || '').split(',').filter(Boolean));
  let prefill = {};
  const ref = query.get('reply') || query.get('consult');
  if (ref) {
    try {
      const m = await get(`/api/messages/${ref}`);
      const key = query.get('consult') ? 'compose.consult_subject' : 'compose.reply_subject';
      // (without the isolates t() puts around values: this is text the
      // user edits and signs, and invisible controls in a signed subject
      // would surprise the CLI, a search, a reader's other tools)
      prefill = { subject: plainText(t(key, { subject: m.subject })), urgency: m.urgency, tlp: m.tlp };
    } catch (e) { prefill = {}; }
  }
  main.appendChild(el('h1', {}, t('compose.title')));
  const form = el('form', { class: 'card compose', id: 'compose-form', novalidate: true });
  const tplSel = el('select', { id: 'compose-template' }, templates.map((tp) => el('option', { value: tp.id }, tplName(tp))));
  ctx.title = t('compose.title');
  const fieldsBox = el('div', { class: 'fields' });
  const drawFields = () => {
    clear(fieldsBox);
    const tp = templates.find((x) => x.id === tplSel.value) || templates[0];
    for (const f of tp.fields) {
      const box = el('div', { class: 'field', 'data-name': f.name }, fieldInput(f, prefill[f.name], dir));
      fieldsBox.appendChild(box);
      if (box.querySelector('.counter')) {
        drawCounter(box);
        box.querySelector('[data-field]').addEventListener('input', () => drawCounter(box));
      }
    }
  };
  tplSel.addEventListener('change', drawFields);

  const audience = el('fieldset', { id: 'compose-audience' }, [el('legend', {}, t('compose.audience'))]);
  for (const s of dir.states) {
    const id = `to-${s.state}`;
    audience.appendChild(el('div', { class: 'check' }, [
      el('input', { type: 'checkbox', id, value: s.state, name: 'to', checked: to0.has(s.state) }),
      el('label', { for: id }, stateLabel(s.state)),
    ]));
  }
  if (dir.groups && dir.groups.length) {
    const gbox = el('fieldset', { id: 'compose-groups' }, [el('legend', {}, t('compose.groups'))]);
    for (const g of dir.groups) {
      const id = `to-group-${g.name}`;
      const title = g.title && g.title[currentLang()] ? g.title[currentLang()] : g.name;
      gbox.appendChild(el('div', { class: 'check' }, [
        el('input', { type: 'checkbox', id, value: `group:${g.name}`, name: 'to' }),
        el('label', { for: id }, t('compose.group_label', { title, states: list(g.states.map(stateLabel)) })),
      ]));
    }
    audience.appendChild(gbox);
  }
  const rbox = el('fieldset', { id: 'compose-roles' }, [el('legend', {}, t('compose.roles'))]);
  for (const r of ['diplomatic', 'technical', 'alternate']) {
    const id = `role-${r}`;
    rbox.appendChild(el('div', { class: 'check' }, [
      el('input', { type: 'checkbox', id, value: r, name: 'role' }),
      el('label', { for: id }, t(`role.${r}`)),
    ]));
  }
  audience.appendChild(rbox);
  audience.appendChild(el('p', { class: 'hint' }, t('compose.audience_hint')));
  const select = (id, values, lbl, cur) => el('select', { id }, values.map((v) => el('option', { value: v, selected: v === cur }, lbl(v))));
  const urg = select('compose-urgency', URGENCIES, (u) => t(`urgency.${u}`), prefill.urgency || 'routine');
  const tlp = select('compose-tlp', TLPS, (x) => ltr(t('tlp.label', { tlp: x })), prefill.tlp || 'AMBER');
  const lang = select('compose-lang', LANGS, (l) => t(`lang.${l}`), currentLang());
  const tlpHelp = el('p', { class: 'hint', id: 'tlp-help' });
  const showTlp = () => { tlpHelp.textContent = t(`tlp.rule.${tlp.value.toLowerCase().replace('+', '-')}`); };
  tlp.addEventListener('change', showTlp);

  const preview = el('div', { id: 'compose-preview', 'aria-live': 'polite' });
  const unconf = el('input', { type: 'checkbox', id: 'compose-unconfirmed', name: 'unconfirmed' });
  const unconfWarn = el('p', { class: 'warning', id: 'unconfirmed-warning', role: 'alert', hidden: true }, t('compose.unconfirmed_warning'));
  const unconfCount = el('p', { class: 'hint', id: 'unconfirmed-count' });
  const unconfBox = el('div', { class: 'unconfirmed-box', id: 'compose-unconfirmed-box', hidden: true }, [
    unconfCount,
    el('div', { class: 'check' }, [unconf, el('label', { for: 'compose-unconfirmed' }, t('compose.include_unconfirmed'))]),
    unconfWarn,
  ]);
  const chosen = () => [...audience.querySelectorAll('input[name=to]:checked')].map((c) => c.value);
  const roles = () => [...audience.querySelectorAll('input[name=role]:checked')].map((c) => c.value).join(',');
  const drawPreview = async () => {
    clear(preview);
    const states = chosen();
    if (states.length === 0) { preview.appendChild(el('p', { class: 'hint' }, t('compose.no_audience'))); return; }
    try {
      const rq = roles() ? `&roles=${encodeURIComponent(roles())}` : '';
      const uq = unconf.checked ? '&unconfirmed=1' : '';
      const r = await get(`/api/recipients?to=${encodeURIComponent(states.join(','))}${rq}${uq}`);
      const ul = el('ul', { class: 'recipients' });
      for (const s of r.states) {
        if (!s.devices.some((d) => d.included)) ul.appendChild(el('li', { class: 'error' }, t('compose.no_device', { state: stateLabel(s.state) })));
        for (const d of s.devices) {
          const vars = { state: stateLabel(s.state), role: t(`role.${d.role}`), name: d.name, fingerprint: d.fingerprint };
          const key = !d.unconfirmed ? 'compose.device' : d.included ? 'compose.device_unconfirmed_in' : 'compose.device_left_out';
          const cls = d.unconfirmed ? ['unconfirmed', d.included ? '' : 'left-out'].join(' ').trim() : null;
          ul.appendChild(el('li', { dir: 'auto', class: cls, 'data-device': d.device }, t(key, vars)));
        }
      }
      preview.appendChild(el('h2', {}, t('compose.will_receive')));
      preview.appendChild(ul);
      // devices of a root key their State has not endorsed: counted, and
      // offered (with the warning) rather than silently dropped
      unconfBox.hidden = !(r.unconfirmed > 0 || unconf.checked);
      unconfCount.textContent = unconf.checked ? t('compose.unconfirmed_included', { n: r.unconfirmed || 0 }) :
        t('compose.unconfirmed_left_out', { n: r.unconfirmed || 0 });
      unconfWarn.hidden = !unconf.checked;
      if (r.refused) preview.appendChild(el('p', { class: 'error', id: 'compose-only-unconfirmed' }, t('compose.only_unconfirmed')));
    } catch (e) { preview.appendChild(el('p', { class: 'error' }, refusal(e))); }
  };
  audience.addEventListener('change', drawPreview);
  unconf.addEventListener('change', drawPreview);

  const status = el('div', { role: 'alert', id: 'compose-status' });
  form.append(
    el('label', { for: 'compose-template' }, t('compose.template')), tplSel, fieldsBox, audience,
    el('div', { class: 'row' }, [
      el('div', {}, [el('label', { for: 'compose-urgency' }, t('compose.urgency')), urg]),
      el('div', {}, [el('label', { for: 'compose-tlp' }, t('compose.tlp')), tlp]),
      el('div', {}, [el('label', { for: 'compose-lang' }, t('compose.lang')), lang]),
    ]),
    tlpHelp, preview, unconfBox,
    el('button', { type: 'submit', id: 'compose-send' }, t('compose.send')), status,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(status);
    const to = chosen();
    if (to.length === 0) { status.className = 'error'; status.textContent = t('compose.no_audience'); return; }
    const body = { template: tplSel.value, to, urgency: urg.value, tlp: tlp.value, lang: lang.value, fields: {} };
    if (roles()) body.roles = roles();
    if (unconf.checked) body.unconfirmed = true;
    if (ref) body.reply_to = ref;
    if (query.get('consult')) body.consultation = true;
    let first = null;
    let code = null;
    for (const box of fieldsBox.querySelectorAll('div.field')) {
      const v = fieldValue(box);
      showError(box, v.error);
      if (v.error && !first) { first = v.control; code = v.code || null; }
      if (v.error || v.value === undefined) continue;
      if (v.control.dataset.tf) body.fields[v.control.dataset.field] = v.value;
      else body[v.control.dataset.field] = v.value;
    }
    if (first) {
      status.className = 'error';
      // the code the node would answer (too-long), before anything is signed
      if (code) status.dataset.code = code; else delete status.dataset.code;
      status.textContent = t(code === 'too-long' ? 'compose.too_big' : 'compose.fix_fields');
      (first.tagName === 'FIELDSET' ? first.querySelector('input') : first).focus();
      return;
    }
    try {
      const r = await post('/api/send', body);
      go(`#/message/${r.id}`);
    } catch (e) {
      // The node names the field it refused: {"field"} when it says so, or
      // its sentence 'field "NAME": ...'.
      const name = (e.body && e.body.field) || (/field "([a-z0-9_]+)"/.exec(e.message) || [])[1];
      const box = name && fieldsBox.querySelector(`div.field[data-name="${name}"]`);
      const text = refusal(e);
      status.className = 'error';
      if (e.body && e.body.code) status.dataset.code = e.body.code;
      status.textContent = t('compose.failed', { error: text });
      if (box) {
        showError(box, text);
        const c = box.querySelector('[data-field]');
        (c.tagName === 'FIELDSET' ? c.querySelector('input') : c).focus();
      }
    }
  });
  main.appendChild(form);
  drawFields();
  showTlp();
  drawPreview();
  void me;
}
