// inbox.js - received messages: overdue first, then by urgency, then
// deadline and time (the node sorts); unread and unacknowledged marked.

import { get } from '../api.js';
import { t, fmtTime, stateLabel } from '../i18n.js';
import { el } from '../dom.js';

export const live = true;

export function urgencyBadge(u) {
  return el('span', { class: `urgency urgency-${u}` }, t(`urgency.${u}`));
}

export function tlpBadge(tlp) {
  return el('span', { class: `tlp tlp-${(tlp || '').toLowerCase().replace('+', '-')}` }, t('tlp.label', { tlp }));
}

export async function render(main) {
  const msgs = await get('/api/inbox');
  main.appendChild(el('h1', {}, t('inbox.title')));
  if (msgs.length === 0) {
    main.appendChild(el('p', { class: 'empty' }, t('inbox.empty')));
    return;
  }
  const rows = msgs.map((m) => {
    const flags = [];
    if (m.overdue) flags.push(el('span', { class: 'flag overdue' }, t('inbox.overdue')));
    if (!m.read) flags.push(el('span', { class: 'flag unread' }, t('inbox.unread')));
    if (!m.acknowledged) flags.push(el('span', { class: 'flag unacked' }, t('inbox.unacknowledged')));
    else flags.push(el('span', { class: 'flag acked' }, t('inbox.acknowledged')));
    return el('tr', { class: `msg${m.read ? '' : ' is-unread'}`, 'data-id': m.id }, [
      el('td', {}, urgencyBadge(m.urgency)),
      el('td', {}, stateLabel(m.from)),
      el('td', {}, el('a', { href: `#/message/${m.id}`, class: 'subject' }, m.subject)),
      el('td', {}, tlpBadge(m.tlp)),
      el('td', {}, m.deadline ? fmtTime(m.deadline) : t('common.none')),
      el('td', {}, fmtTime(m.time)),
      el('td', { class: 'flags' }, flags),
    ]);
  });
  main.appendChild(el('table', { class: 'list', id: 'inbox-table' }, [
    el('caption', { class: 'sr-only' }, t('inbox.title')),
    el('thead', {}, el('tr', {}, ['inbox.urgency', 'inbox.from', 'inbox.subject', 'inbox.tlp', 'inbox.deadline', 'inbox.received', 'inbox.status']
      .map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, rows),
  ]));
}
