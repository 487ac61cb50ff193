// app.js - the web interface's shell: session, language, navigation, the
// alarm banner and live updates.
//
// One page, routed by the URL's #fragment (#/inbox, #/message/ID, ...), so
// the node serves a handful of static files and every view is a function of
// the local API's answers.  Live updates: the shell polls /api/events (a
// version made of the store's counters) and, when it moves, redraws the
// current view if that view is a live one (not a form being filled in).
//
// For keyboard and screen-reader users: a fragment that is not a route
// (#main, the skip link's) is an anchor, not a page: it moves the focus and
// leaves the view alone.  A new view gets its own document.title and the
// focus on its heading (or where the page asks: the sign-in field, the
// acknowledgement); a live redraw puts the focus back on the element of the
// same id.  What an action did is said in the live region (announce()).

import { get, post, setCsrf, ApiError } from './api.js';
import { setLang, t, currentLang, stateLabel, fmtTime } from './i18n.js';
import { el, clear } from './dom.js';
import { tick } from './countdown.js';
import * as login from './pages/login.js';
import * as inbox from './pages/inbox.js';
import * as sent from './pages/sent.js';
import * as message from './pages/message.js';
import * as compose from './pages/compose.js';
import * as directory from './pages/directory.js';
import * as checks from './pages/checks.js';
import * as process from './pages/process.js';
import * as trust from './pages/trust.js';
import * as settings from './pages/settings.js';

const routes = { login, inbox, sent, message, compose, directory, checks, process, trust, settings };
const NAV = ['inbox', 'sent', 'compose', 'directory', 'checks', 'process', 'trust', 'settings'];

const app = { session: null, version: null, events: null, openChecks: 0, page: null, params: [] };

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

// The id of the focused element under root, to focus its successor after
// a redraw.
function focusedId(root) {
  const a = document.activeElement;
  return a && a !== root && root.contains(a) && a.id ? a.id : null;
}

// The element of the same id in a redrawn view takes the focus back; a
// heading (focused by focusView, which made it focusable in the old view
// only) is made focusable again first.  False when nothing took it, so the
// caller focuses the view instead of leaving the focus on the body.
function refocus(root, id) {
  const e = id && root.querySelector(`#${CSS.escape(id)}`);
  if (!e) return false;
  if (!e.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(e.tagName)) e.setAttribute('tabindex', '-1');
  e.focus({ preventScroll: true });
  return document.activeElement === e;
}

function drawNav() {
  const nav = document.getElementById('nav');
  const key = JSON.stringify([app.session, currentLang(), parseHash().name, app.events && app.events.unread, app.openChecks]);
  if (key === navKey) return;
  navKey = key;
  const had = focusedId(nav);
  clear(nav);
  const who = document.getElementById('who');
  clear(who);
  if (!app.session || !app.session.signed_in) return;
  const cur = parseHash().name;
  const ul = el('ul', {});
  for (const n of NAV) {
    const label = [t(`nav.${n}`)];
    if (n === 'inbox' && app.events && app.events.unread > 0) {
      label.push(' ', el('span', { class: 'badge', id: 'unread-count' }, t('nav.unread', { n: app.events.unread })));
    }
    if (n === 'checks' && app.openChecks > 0) {
      label.push(' ', el('span', { class: 'badge', id: 'open-checks' }, t('nav.open_checks', { n: app.openChecks })));
    }
    ul.appendChild(el('li', {}, el('a', { href: `#/${n}`, 'aria-current': cur === n ? 'page' : null, id: `nav-${n}` }, label)));
  }
  if (app.session.auth_required) {
    ul.appendChild(el('li', {}, el('button', { type: 'button', id: 'logout', class: 'link', onclick: logout }, t('nav.logout'))));
  }
  nav.appendChild(ul);
  refocus(nav, had);
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
    a.appendChild(el('strong', {}, t('alarm.banner', { n })));
    a.appendChild(document.createTextNode(' '));
    a.appendChild(el('a', { href: '#/trust' }, t('alarm.see')));
  }
}

// Whether the hub can be reached, on every page (issue 10 item 8): since
// when it cannot, what waits in this node's outbox, and whether urgent
// mail is among it, from the event counter's hub and outbox.
let hubKey = null;
function drawHub() {
  const b = document.getElementById('hub-status');
  const ev = app.events || {};
  const h = ev.hub, ob = ev.outbox || { count: 0, urgent: 0 };
  const down = !!h && h.reachable === false;
  const key = down ? `${h.failed || h.last_contact}:${ob.count}:${ob.urgent}:${currentLang()}` : '';
  if (key === hubKey) return;
  hubKey = key;
  clear(b);
  b.hidden = !down;
  if (!down) return;
  b.appendChild(el('strong', { id: 'hub-unreachable' }, t('hub.unreachable', { time: fmtTime(h.failed || h.last_contact) })));
  if (ob.count > 0) b.appendChild(el('span', { id: 'hub-outbox' }, [' ', t('hub.outbox', { n: ob.count })]));
  if (ob.urgent > 0) b.appendChild(el('strong', { id: 'hub-urgent' }, [' ', t('hub.urgent')]));
}

async function logout() {
  try { await post('/api/session/logout'); } catch (e) { /* signed out anyway */ }
  app.session = null;
  setCsrf('');
  await start();
}

// The live region: what the user's last action did.  The poll's "new
// information" does not talk over it for a few seconds.
let announced = 0;
export function announce(text) {
  const live = document.getElementById('live');
  live.textContent = '';
  // (a fresh text node, so the same sentence twice is announced twice)
  live.appendChild(document.createTextNode(text));
  announced = Date.now();
}

function setTitle(text) {
  document.title = text ? t('app.title_page', { page: text }) : t('app.title');
}

// A view's heading takes the focus when the view is new, so a screen
// reader says where the user is; it is focusable by script only.
function focusView(view, target) {
  const e = target || view.querySelector('h1');
  if (!e) return;
  if (!e.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(e.tagName)) e.setAttribute('tabindex', '-1');
  e.focus();
}

// live: a redraw for news, drawn off-screen and swapped in without a
// "loading" flash, the focus kept on the element of the same id.
//
// Views are drawn concurrently (a navigation and the poll's redraws each
// wait for their own answers), so they may finish in any order: only the
// one started last is swapped in.  Otherwise a navigation's view whose
// answer came late replaced the live redraw drawn after it, and with it
// whatever the reader had typed there (an acknowledgement's note, signed
// without it: tests/browser/crisis.mjs).  A live redraw that supersedes a
// navigation not yet shown is shown as that navigation would have been
// (its title, the focus on its heading).
let drawing = 0, navigated = 0, shown = 0;
export async function route(live) {
  const main = document.getElementById('main');
  const mine = ++drawing;
  if (live !== true) navigated = mine;
  const { name, params, query } = parseHash();
  const ctx = { app, params, query, go, refresh: route, announce, title: null, focus: null };
  if (!app.session || !app.session.signed_in) {
    app.page = login;
    clear(main);
    drawNav();
    await login.render(main, Object.assign(ctx, { start }));
    setTitle(t('login.title'));
    return;
  }
  const page = routes[name] && name !== 'login' ? routes[name] : inbox;
  app.page = page;
  app.params = params;
  drawNav();
  const had = live === true ? focusedId(main) : null;
  if (live !== true) {
    clear(main);
    main.appendChild(el('p', { class: 'loading' }, t('common.loading')));
  }
  try {
    const view = el('div', { class: `page page-${name}` });
    await page.render(view, ctx);
    if (mine !== drawing) return;	// a newer view is on its way
    // The user may have started on the page shown while this was drawn.
    if (live === true && typeof page.live === 'function' && !page.live()) return;
    const nav = live !== true || navigated > shown;
    shown = mine;
    clear(main);
    main.appendChild(view);
    tick(view);
    setTitle(ctx.title || (view.querySelector('h1') || {}).textContent);
    if (nav) focusView(view, ctx.focus);
    else if (had && !refocus(view, had)) focusView(view);
  } catch (e) {
    if (mine !== drawing) return;
    if (e instanceof ApiError && e.status === 401) { await start(); return; }
    shown = mine;
    clear(main);
    const p = el('p', { class: 'error', role: 'alert', id: 'page-error' }, t('common.error', { error: e.message }));
    main.appendChild(p);
    setTitle(t('common.error_title'));
    focusView(main, p);
  }
}

// One poll at a time: a poll waits for its live redraw, and redraws that
// overlapped would each supersede the one before (route), so on a slow
// node whose store moves every second none would ever be shown.
let polling = false;
async function poll() {
  if (polling) return;
  polling = true;
  try { await pollOnce(); } finally { polling = false; }
}

async function pollOnce() {
  if (!app.session || !app.session.signed_in) return;
  let ev;
  try { ev = await get('/api/events'); } catch (e) {
    if (e instanceof ApiError && e.status === 401) await start();
    return;
  }
  const changed = app.version !== null && ev.version !== app.version;
  const moved = ev.version !== app.version;
  app.events = ev;
  app.version = ev.version;
  // Checks waiting for this POC's answer: the node's count when it gives
  // one, else counted from /api/checks whenever the store moved.
  if (typeof ev.open_checks === 'number') app.openChecks = ev.open_checks;
  else if (moved) {
    try {
      app.openChecks = (await get('/api/checks')).filter((c) => typeof c.status === 'string' && c.status.startsWith('OPEN')).length;
    } catch (e) { /* the next change tries again */ }
  }
  drawAlarm();
  drawHub();
  if (changed) {
    if (Date.now() - announced > 5000) document.getElementById('live').textContent = t('live.updated');
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
  await pollOnce();	// (also from inside a poll that met a 401)
  if (app.session.signed_in && parseHash().name === 'login') location.hash = '#/inbox';
  await route();
}

export function session() { return app.session; }
export function changeLanguage(l) { return setLang(l).then(() => { drawNav(); drawAlarm(); hubKey = null; drawHub(); }); }
export { currentLang };

// A fragment that names no route (#main: the skip link) is an anchor in
// the page: focus it, and put the route back without redrawing anything.
let lastRoute = location.hash;
function anchor(hash) {
  const target = document.getElementById(decodeURIComponent(hash.slice(1)));
  if (target) {
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus();
  }
}

window.addEventListener('hashchange', () => {
  if (location.hash && !location.hash.startsWith('#/')) {
    const h = location.hash;
    history.replaceState(null, '', lastRoute || '#/inbox');
    anchor(h);
    return;
  }
  lastRoute = location.hash;
  route(false);
});
document.addEventListener('click', (ev) => {
  const a = ev.target.closest && ev.target.closest('a[href^="#"]');
  if (!a || ev.defaultPrevented) return;
  const href = a.getAttribute('href');
  if (!href.startsWith('#/')) {
    ev.preventDefault();
    anchor(href);
  } else if (href === location.hash) {	// the page shown: draw it afresh
    ev.preventDefault();
    route(false);
  }
});
window.addEventListener('DOMContentLoaded', async () => {
  await start();
  setInterval(poll, 1000);
  setInterval(() => tick(document), 1000);
});
