// compose.js - write and send a message: template, its fields, audience,
// urgency, TLP and language, and before sending the list of every device
// that will receive it (the node's own rule: each current device of each
// chosen State).

import { get, post } from '../api.js';
import { t, currentLang, stateLabel, LANGS } from '../i18n.js';
import { el, clear } from '../dom.js';

const URGENCIES = ['flash', 'urgent', 'priority', 'routine'];
const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

function label(f) {
  if (f.labels && f.labels[currentLang()]) return f.labels[currentLang()];
  return t(`field.${f.name}`);
}

function tplName(tp) {
  if (tp.names && tp.names[currentLang()]) return tp.names[currentLang()];
  return t(`template.${tp.id}`);
}

function fieldInput(f, value) {
  const id = `field-${f.name}`;
  const tf = f.template_field ? '1' : null;
  let input;
  if (f.type === 'textarea') input = el('textarea', { id, name: f.name, rows: f.template_field ? 3 : 10, required: f.required, maxlength: f.max, 'data-tf': tf });
  else if (f.type === 'select' || f.choices) {
    input = el('select', { id, name: f.name, required: f.required, 'data-tf': tf },
      (f.choices || []).map((c) => {
        const v = typeof c === 'string' ? c : c.value;
        const text = v === '' ? t('compose.choice_none') : c.labels && c.labels[currentLang()] ? c.labels[currentLang()] : t(`choice.${f.name}.${v}`);
        return el('option', { value: v }, text);
      }));
  } else input = el('input', { id, name: f.name, required: f.required, maxlength: f.max, 'data-tf': tf });
  if (value) input.value = value;
  return [el('label', { for: id }, label(f)), input];
}

export async function render(main, { query, go }) {
  const [tpls, dir, me] = await Promise.all([get('/api/templates'), get('/api/directory'), get('/api/session')]);
  const templates = tpls.templates || [];
  const to0 = new Set((query.get('to') || '').split(',').filter(Boolean));
  let prefill = {};
  const ref = query.get('reply') || query.get('consult');
  if (ref) {
    try {
      const m = await get(`/api/messages/${ref}`);
      const key = query.get('consult') ? 'compose.consult_subject' : 'compose.reply_subject';
      prefill = { subject: t(key, { subject: m.subject }), urgency: m.urgency, tlp: m.tlp };
    } catch (e) { prefill = {}; }
  }
  main.appendChild(el('h1', {}, t('compose.title')));
  const form = el('form', { class: 'card compose', id: 'compose-form' });
  const tplSel = el('select', { id: 'compose-template' }, templates.map((tp) => el('option', { value: tp.id }, tplName(tp))));
  const fieldsBox = el('div', { class: 'fields' });
  const drawFields = () => {
    clear(fieldsBox);
    const tp = templates.find((x) => x.id === tplSel.value) || templates[0];
    for (const f of tp.fields) fieldsBox.appendChild(el('div', { class: 'field' }, fieldInput(f, prefill[f.name])));
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
        el('label', { for: id }, `${title} (${g.states.map(stateLabel).join(', ')})`),
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
  const tlp = select('compose-tlp', TLPS, (x) => t('tlp.label', { tlp: x }), prefill.tlp || 'AMBER');
  const lang = select('compose-lang', LANGS, (l) => t(`lang.${l}`), currentLang());
  const tlpHelp = el('p', { class: 'hint', id: 'tlp-help' });
  const showTlp = () => { tlpHelp.textContent = t(`tlp.rule.${tlp.value.toLowerCase().replace('+', '-')}`); };
  tlp.addEventListener('change', showTlp);

  const preview = el('div', { id: 'compose-preview', 'aria-live': 'polite' });
  const chosen = () => [...audience.querySelectorAll('input[name=to]:checked')].map((c) => c.value);
  const roles = () => [...audience.querySelectorAll('input[name=role]:checked')].map((c) => c.value).join(',');
  const drawPreview = async () => {
    clear(preview);
    const states = chosen();
    if (states.length === 0) { preview.appendChild(el('p', { class: 'hint' }, t('compose.no_audience'))); return; }
    try {
      const rq = roles() ? `&roles=${encodeURIComponent(roles())}` : '';
      const r = await get(`/api/recipients?to=${encodeURIComponent(states.join(','))}${rq}`);
      const ul = el('ul', { class: 'recipients' });
      for (const s of r.states) {
        if (s.devices.length === 0) ul.appendChild(el('li', { class: 'error' }, t('compose.no_device', { state: stateLabel(s.state) })));
        for (const d of s.devices) {
          ul.appendChild(el('li', {}, t('compose.device', {
            state: stateLabel(s.state), role: t(`role.${d.role}`), name: d.name, fingerprint: d.fingerprint,
          })));
        }
      }
      preview.appendChild(el('h2', {}, t('compose.will_receive')));
      preview.appendChild(ul);
    } catch (e) { preview.appendChild(el('p', { class: 'error' }, t('common.error', { error: e.message }))); }
  };
  audience.addEventListener('change', drawPreview);

  const status = el('div', { role: 'alert', id: 'compose-status' });
  form.append(
    el('label', { for: 'compose-template' }, t('compose.template')), tplSel, fieldsBox, audience,
    el('div', { class: 'row' }, [
      el('div', {}, [el('label', { for: 'compose-urgency' }, t('compose.urgency')), urg]),
      el('div', {}, [el('label', { for: 'compose-tlp' }, t('compose.tlp')), tlp]),
      el('div', {}, [el('label', { for: 'compose-lang' }, t('compose.lang')), lang]),
    ]),
    tlpHelp, preview,
    el('button', { type: 'submit', id: 'compose-send' }, t('compose.send')), status,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(status);
    const to = chosen();
    if (to.length === 0) { status.className = 'error'; status.textContent = t('compose.no_audience'); return; }
    const body = { template: tplSel.value, to, urgency: urg.value, tlp: tlp.value, lang: lang.value, fields: {} };
    if (roles()) body.roles = roles();
    if (ref) body.reply_to = ref;
    if (query.get('consult')) body.consultation = true;
    for (const f of fieldsBox.querySelectorAll('[name]')) {
      if (f.dataset.tf) body.fields[f.name] = f.value;
      else body[f.name] = f.value;
    }
    try {
      const r = await post('/api/send', body);
      go(`#/message/${r.id}`);
    } catch (e) { status.className = 'error'; status.textContent = t('compose.failed', { error: e.message }); }
  });
  main.appendChild(form);
  drawFields();
  showTlp();
  drawPreview();
  void me;
}
