// inbox.js - received messages: overdue first, then by urgency, then
// deadline and time (the node sorts); unread and unacknowledged marked.
// A deadline counts down while the message waits for its acknowledgement,
// and is no longer emphasised once it is acknowledged.  Subjects keep the
// sender's language and direction; each row's link has an id of its own,
// so a live redraw gives the focus back to the row the user was on.

import { get } from '../api.js';
import { t, stateLabel, timeEl } from '../i18n.js';
import { el } from '../dom.js';
import { countdown } from '../countdown.js';

export const live = true;

export function urgencyBadge(u) {
  return el('span', { class: `urgency urgency-${u}` }, t(`urgency.${u}`));
}

// A templated message's headline (issue 10 item 16): the template's title
// in the reader's language, beside the sender's own subject.
export function templateTitle(m) {
  return m.template && m.template !== 'free-text' && m.template_title ?
    [el('span', { class: 'template-title' }, m.template_title), ' '] : null;
}

export function tlpBadge(tlp) {
  return el('span', { class: `tlp tlp-${(tlp || '').toLowerCase().replace('+', '-')}`, dir: 'ltr' }, t('tlp.label', { tlp }));
}

export const langAttr = (l) => (typeof l === 'string' && /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(l) ? l : null);

function deadlineCell(m) {
  if (!m.deadline) return t('common.none');
  if (m.acknowledged) return el('span', { class: 'deadline is-done' }, timeEl(m.deadline));
  return el('span', { class: 'deadline' }, [timeEl(m.deadline), el('br'), countdown(m.deadline)]);
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
    if (m.notice) flags.push(el('span', { class: 'flag overdue notice' }, t('notice.badge')));
    if (m.overdue && !m.acknowledged) flags.push(el('span', { class: 'flag overdue' }, t('inbox.overdue')));
    if (!m.read) flags.push(el('span', { class: 'flag unread' }, t('inbox.unread')));
    if (!m.acknowledged) flags.push(el('span', { class: 'flag unacked' }, t('inbox.unacknowledged')));
    else flags.push(el('span', { class: 'flag acked' }, t('inbox.acknowledged')));
    return el('tr', { class: `msg${m.read ? '' : ' is-unread'}`, 'data-id': m.id }, [
      el('td', {}, urgencyBadge(m.urgency)),
      el('td', {}, stateLabel(m.from)),
      el('td', {}, [templateTitle(m), el('a', { href: `#/message/${m.id}`, class: 'subject', id: `open-${m.id.slice(0, 16)}`,
        dir: 'auto', lang: langAttr(m.lang) }, m.notice && m.notice.held ? t('notice.row', { subject: m.notice.subject }) :
          m.subject || t('message.untitled'))]),
      el('td', {}, tlpBadge(m.tlp)),
      el('td', {}, deadlineCell(m)),
      el('td', {}, timeEl(m.time)),
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
