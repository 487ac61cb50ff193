// trust.js - the log and what this node checked: audit status, the latest
// verified checkpoint, other nodes' cosignatures, and every alarm (a
// foreign key record for the own State, an inconsistent checkpoint), shown
// first and in red.

import { get } from '../api.js';
import { t, has, fmtNumber, stateLabel, bdi, timeEl } from '../i18n.js';
import { el } from '../dom.js';

export const live = true;

export async function render(main) {
  const tr = await get('/api/trust');
  main.appendChild(el('h1', {}, t('trust.title')));
  if (tr.alarms.length) {
    main.appendChild(el('section', { class: 'card alarm', role: 'alert', id: 'trust-alarms' }, [
      el('h2', {}, t('trust.alarms', { n: tr.alarms.length })),
      el('p', {}, t('trust.alarms_hint')),
      el('ul', {}, tr.alarms.map((a) => {
        // The detail in the reader's language from its code and facts
        // (params: a State is named by its label); else the node's own
        // English sentence.
        const p = Object.assign({}, a.params || {});
        if (p.state) p.state = stateLabel(p.state);
        const said = has(`alarm.detail.${a.code}`, p);
        return el('li', { class: 'alarm-item', 'data-code': a.code || a.kind }, [
          el('strong', {}, t(`alarm.kind.${a.kind}`)), ' ', timeEl(a.time),
          said ? el('div', { class: 'detail' }, t(`alarm.detail.${a.code}`, p)) :
            el('div', { class: 'detail', lang: 'en', dir: 'auto' }, a.text),
        ]);
      })),
    ]));
  } else {
    main.appendChild(el('p', { class: 'card ok', id: 'trust-ok' }, t('trust.ok')));
  }
  const cp = tr.checkpoint;
  main.appendChild(el('section', { class: 'card', id: 'trust-checkpoint' }, [
    el('h2', {}, t('trust.checkpoint')),
    cp ? el('dl', { class: 'fields' }, [
      el('dt', {}, t('trust.size')), el('dd', {}, fmtNumber(cp.size)),
      el('dt', {}, t('trust.root')), el('dd', { class: 'fpr' }, bdi(cp.root)),
      el('dt', {}, t('trust.signed_at')), el('dd', {}, timeEl(cp.time)),
      el('dt', {}, t('trust.verified_at')), el('dd', {}, timeEl(cp.verified)),
      el('dt', {}, t('trust.seen')), el('dd', {}, fmtNumber(cp.seen_count)),
      el('dt', {}, t('trust.own_cosigned')), el('dd', {}, tr.own_cosigned_size >= 0 ? fmtNumber(tr.own_cosigned_size) : t('trust.not_cosigned')),
      el('dt', {}, t('trust.refusals')), el('dd', {}, fmtNumber(tr.refusals)),
    ]) : el('p', {}, t('trust.no_checkpoint')),
  ]));
  main.appendChild(el('section', { class: 'card', id: 'trust-keys' }, [
    el('h2', {}, t('trust.keys')),
    el('dl', { class: 'fields' }, [
      el('dt', {}, t('trust.device_fpr')), el('dd', { class: 'fpr' }, bdi(tr.device_fingerprint)),
      el('dt', {}, t('trust.root_fpr', { state: stateLabel(tr.state) })), el('dd', { class: 'fpr' }, tr.root_fingerprint ? bdi(tr.root_fingerprint) : t('common.none')),
    ]),
    el('p', { class: 'hint' }, t('trust.compare_hint')),
  ]));
  main.appendChild(el('section', { class: 'card', id: 'trust-cosignatures' }, [
    el('h2', {}, t('trust.cosignatures')),
    tr.cosignatures.length ? el('table', { class: 'list' }, [
      el('thead', {}, el('tr', {}, ['trust.c_state', 'trust.c_poc', 'trust.c_fingerprint', 'trust.c_size', 'trust.c_time']
        .map((k) => el('th', { scope: 'col' }, t(k))))),
      el('tbody', {}, tr.cosignatures.map((c) => el('tr', {}, [
        el('td', {}, c.state ? stateLabel(c.state) : t('common.unknown')), el('td', {}, c.name ? bdi(c.name) : t('common.unknown')),
        el('td', { class: 'fpr' }, bdi(c.fingerprint)), el('td', {}, c.size !== undefined ? fmtNumber(c.size) : t('common.none')),
        el('td', {}, timeEl(c.time)),
      ]))),
    ]) : el('p', { class: 'empty' }, t('trust.no_cosignatures')),
  ]));
}
