// settings.js - the user's language and alert e-mail, and for
// administrators the devices of their State.

import { get, post } from '../api.js';
import { t, LANGS, bdi, refusal } from '../i18n.js';
import { el } from '../dom.js';
import { changeLanguage } from '../app.js';

export const live = false;

export async function render(main, { refresh }) {
  const s = await get('/api/settings');
  main.appendChild(el('h1', {}, t('settings.title')));
  const lang = el('select', { id: 'settings-lang' }, LANGS.map((l) => el('option', { value: l, lang: l, selected: l === s.lang }, t(`lang.${l}`))));
  const email = el('input', { id: 'settings-email', type: 'email', value: s.email, disabled: !s.account });
  const status = el('p', { role: 'status', id: 'settings-status' });
  const form = el('form', { class: 'card', id: 'settings-form' }, [
    el('label', { for: 'settings-lang' }, t('settings.language')), lang,
    el('label', { for: 'settings-email' }, t('settings.email')), email,
    s.account ? null : el('p', { class: 'hint' }, t('settings.no_account')),
    el('button', { type: 'submit', id: 'settings-save' }, t('settings.save')), status,
  ]);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const body = { lang: lang.value };
      if (s.account) body.email = email.value;
      await post('/api/settings', body);
      localStorage.setItem('roster.lang', lang.value);
      await changeLanguage(lang.value);
      await refresh();
    } catch (e) { status.className = 'error'; status.dataset.code = (e.body && e.body.code) || ''; status.textContent = refusal(e); }
  });
  main.appendChild(form);
  if (s.admin) {
    main.appendChild(el('section', { class: 'card', id: 'settings-devices' }, [
      el('h2', {}, t('settings.devices')),
      el('p', { class: 'hint' }, t('settings.devices_hint')),
      el('table', { class: 'list' }, [
        el('thead', {}, el('tr', {}, ['directory.name', 'directory.role', 'directory.fingerprint', 'directory.status']
          .map((k) => el('th', { scope: 'col' }, t(k))))),
        el('tbody', {}, s.devices.map((d) => el('tr', {}, [
          el('td', {}, d.this_node ? t('settings.this_node', { name: d.name }) : bdi(d.name)),
          el('td', {}, t(`role.${d.role}`)), el('td', { class: 'fpr' }, bdi(d.fingerprint)), el('td', {}, t(`status.${d.status}`)),
        ]))),
      ]),
    ]));
  }
}
