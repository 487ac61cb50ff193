// sent.js - messages this node sent, with how many recipient devices have
// delivered and acknowledged each.

import { get } from '../api.js';
import { t, stateLabel, timeEl, list } from '../i18n.js';
import { el } from '../dom.js';
import { urgencyBadge, tlpBadge, langAttr, templateTitle } from './inbox.js';

export const live = true;

export async function render(main) {
  const msgs = await get('/api/sent');
  main.appendChild(el('h1', {}, t('sent.title')));
  if (msgs.length === 0) {
    main.appendChild(el('p', { class: 'empty' }, t('sent.empty')));
    return;
  }
  main.appendChild(el('table', { class: 'list', id: 'sent-table' }, [
    el('thead', {}, el('tr', {}, ['inbox.urgency', 'sent.to', 'inbox.subject', 'inbox.tlp', 'sent.time', 'sent.delivered', 'sent.acknowledged']
      .map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, msgs.map((m) => el('tr', { 'data-id': m.id }, [
      el('td', {}, urgencyBadge(m.urgency)),
      el('td', {}, list(m.to.map(stateLabel))),
      el('td', {}, [templateTitle(m), el('a', { href: `#/message/${m.id}`, id: `open-${m.id.slice(0, 16)}`, dir: 'auto', lang: langAttr(m.lang) },
        m.subject || t('message.untitled'))]),
      el('td', {}, tlpBadge(m.tlp)),
      el('td', {}, m.time ? timeEl(m.time) : (m.error ? t('sent.refused', { error: m.error }) : t('sent.queued'))),
      el('td', { class: 'count-delivered' }, t('sent.of', { n: m.delivered, total: m.recipients })),
      el('td', { class: 'count-acknowledged' }, t('sent.of', { n: m.acknowledged, total: m.recipients })),
    ]))),
  ]));
}
