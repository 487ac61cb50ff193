// app.js - the web interface's shell: session, language, navigation, the
// alarm banner and live updates.
//
// One page, routed by the URL's #fragment (#/inbox, #/message/ID, ...), so
// the node serves a handful of static files and every view is a function of
// the local API's answers.  Live updates: the shell polls /api/events (a
// version made of the store's counters) and, when it moves, redraws the
// current view if that view is a live one (not a form being filled in).

import { get, post, setCsrf, ApiError } from './api.js';
import { setLang, t, currentLang, fmtNumber, stateLabel } from './i18n.js';
import { el, clear } from './dom.js';
import * as login from './pages/login.js';
import * as inbox from './pages/inbox.js';
import * as sent from './pages/sent.js';
import * as message from './pages/message.js';
import * as compose from './pages/compose.js';
import * as directory from './pages/directory.js';
import * as checks from './pages/checks.js';
import * as trust from './pages/trust.js';
import * as settings from './pages/settings.js';

const routes = { login, inbox, sent, message, compose, directory, checks, trust, settings };
const NAV = ['inbox', 'sent', 'compose', 'directory', 'checks', 'trust', 'settings'];

const app = { session: null, version: null, events: null, page: null, params: [] };

function parseHash() {
  const h = location.hash.replace(/^#\/?/, '');
  const [path, query] = h.split('?');
  const parts = path.split('/').filter(Boolean);
  return { name: parts[0] || 'inbox', params: parts.slice(1), query: new URLSearchParams(query || '') };
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// Redrawn only when something in it changed, so a keyboard user's focus on
// a link is not lost to the once-a-second poll.
let navKey = '';
let alarmKey = '';

function drawNav() {
  const nav = document.getElementById('nav');
  const key = JSON.stringify([app.session, currentLang(), parseHash().name, app.events && app.events.unread]);
  if (key === navKey) return;
  navKey = key;
  clear(nav);
  const who = document.getElementById('who');
  clear(who);
  if (!app.session || !app.session.signed_in) return;
  const cur = parseHash().name;
  const ul = el('ul', {});
  for (const n of NAV) {
    const label = [t(`nav.${n}`)];
    if (n === 'inbox' && app.events && app.events.unread > 0) {
      label.push(' ', el('span', { class: 'badge', id: 'unread-count' }, fmtNumber(app.events.unread)));
    }
    ul.appendChild(el('li', {}, el('a', { href: `#/${n}`, 'aria-current': cur === n ? 'page' : null, id: `nav-${n}` }, label)));
  }
  if (app.session.auth_required) {
    ul.appendChild(el('li', {}, el('button', { type: 'button', id: 'logout', class: 'link', onclick: logout }, t('nav.logout'))));
  }
  nav.appendChild(ul);
  who.appendChild(document.createTextNode(t('app.who', {
    user: app.session.user, state: stateLabel(app.session.state), role: t(`role.${app.session.role}`),
  })));
}

function drawAlarm() {
  const a = document.getElementById('alarm');
  const n = app.events ? app.events.alarms : 0;
  if (`${n}:${currentLang()}` === alarmKey) return;
  alarmKey = `${n}:${currentLang()}`;
  clear(a);
  a.hidden = !(n > 0);
  if (n > 0) {
    a.appendChild(el('strong', {}, t('alarm.banner', { n: fmtNumber(n) })));
    a.appendChild(document.createTextNode(' '));
    a.appendChild(el('a', { href: '#/trust' }, t('alarm.see')));
  }
}

async function logout() {
  try { await post('/api/session/logout'); } catch (e) { /* signed out anyway */ }
  app.session = null;
  setCsrf('');
  await start();
}

// live: a redraw for news, drawn off-screen and swapped in without a
// "loading" flash.
export async function route(live) {
  const main = document.getElementById('main');
  const { name, params, query } = parseHash();
  if (!app.session || !app.session.signed_in) {
    app.page = login;
    clear(main);
    drawNav();
    await login.render(main, { app, start });
    return;
  }
  const page = routes[name] && name !== 'login' ? routes[name] : inbox;
  app.page = page;
  app.params = params;
  drawNav();
  if (live !== true) {
    clear(main);
    main.appendChild(el('p', { class: 'loading' }, t('common.loading')));
  }
  try {
    const view = el('div', { class: `page page-${name}` });
    await page.render(view, { app, params, query, go, refresh: route });
    clear(main);
    main.appendChild(view);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { await start(); return; }
    clear(main);
    main.appendChild(el('p', { class: 'error', role: 'alert' }, t('common.error', { error: e.message })));
  }
}

async function poll() {
  if (!app.session || !app.session.signed_in) return;
  let ev;
  try { ev = await get('/api/events'); } catch (e) {
    if (e instanceof ApiError && e.status === 401) await start();
    return;
  }
  const changed = app.version !== null && ev.version !== app.version;
  app.events = ev;
  app.version = ev.version;
  drawAlarm();
  if (changed) {
    document.getElementById('live').textContent = t('live.updated');
    if (app.page && (app.page.live === true || (typeof app.page.live === 'function' && app.page.live()))) {
      const y = window.scrollY;
      await route(true);
      window.scrollTo(0, y);
      return;
    }
  }
  drawNav();
}

export async function start() {
  app.session = await get('/api/session');
  setCsrf(app.session.csrf);
  const stored = localStorage.getItem('roster.lang');
  const lang = app.session.signed_in && app.session.auth_required ? app.session.lang :
    (app.session.signed_in ? app.session.lang : stored || app.session.lang);
  await setLang(lang);
  app.version = null;
  await poll();
  if (app.session.signed_in && parseHash().name === 'login') location.hash = '#/inbox';
  await route();
}

export function session() { return app.session; }
export function changeLanguage(l) { return setLang(l).then(() => { drawNav(); drawAlarm(); }); }
export { currentLang };

window.addEventListener('hashchange', () => route(false));
window.addEventListener('DOMContentLoaded', async () => {
  await start();
  setInterval(poll, 1000);
});
