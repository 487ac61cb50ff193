// login.js - sign-in, with the language chooser (before sign-in the
// choice is kept in the browser; after, the account's language rules).

import { post, setCsrf } from '../api.js';
import { t, LANGS, currentLang, stateLabel, refusal } from '../i18n.js';
import { el } from '../dom.js';

export async function render(main, { app, start }) {
  const err = el('p', { class: 'error', role: 'alert', id: 'login-error' });
  const user = el('input', { id: 'login-user', name: 'user', autocomplete: 'username', required: true });
  const pass = el('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = el('form', { class: 'card login', id: 'login-form' }, [
    el('h1', {}, t('login.title')),
    el('p', {}, t('login.intro', { state: stateLabel(app.session.state) })),
    el('label', { for: 'login-user' }, t('login.user')), user,
    el('label', { for: 'login-password' }, t('login.password')), pass,
    el('button', { type: 'submit', id: 'login-submit' }, t('login.submit')),
    err,
  ]);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    try {
      const s = await post('/api/session/login', { user: user.value, password: pass.value });
      setCsrf(s.csrf);
      if (location.hash.startsWith('#/login') || !location.hash) location.hash = '#/inbox';
      await start();
    } catch (e) {
      // the node's code in the reader's words (wrong-password,
      // sign-in-locked, account-key-mismatch, ...)
      err.dataset.code = (e.body && e.body.code) || '';
      err.textContent = refusal(e);
    }
  });
  const langs = el('div', { class: 'langs', role: 'group', 'aria-label': t('settings.language') },
    LANGS.map((l) => el('button', {
      type: 'button', lang: l, class: `link${l === currentLang() ? ' current' : ''}`, 'data-lang': l,
      onclick: async () => { localStorage.setItem('roster.lang', l); await start(); },
    }, t(`lang.${l}`))));
  main.appendChild(langs);
  main.appendChild(form);
  user.focus();
}
