// directory.js - every State and its points of contact as this node
// verified them from the log: search, filters by group, role and language,
// fingerprints to compare out of band, and when each POC last answered a
// communication check (once checks exist).

import { get } from '../api.js';
import { t, country, stateLabel, currentLang, LANGS, bdi, timeEl, list as listOf } from '../i18n.js';
import { el, clear } from '../dom.js';

export const live = false;

const ROLES = ['diplomatic', 'technical', 'alternate'];

export async function render(main) {
  const dir = await get('/api/directory');
  main.appendChild(el('h1', {}, t('directory.title')));
  const q = el('input', { id: 'dir-search', type: 'search' });
  const role = el('select', { id: 'dir-role' }, [el('option', { value: '' }, t('directory.any_role')),
    ...ROLES.map((r) => el('option', { value: r }, t(`role.${r}`)))]);
  const lang = el('select', { id: 'dir-lang' }, [el('option', { value: '' }, t('directory.any_language')),
    ...LANGS.map((l) => el('option', { value: l }, t(`lang.${l}`)))]);
  const groups = dir.groups || [];
  const gname = (g) => (g.title && g.title[currentLang()] ? g.title[currentLang()] : g.name);
  const group = el('select', { id: 'dir-group' }, [el('option', { value: '' }, t('directory.any_group')),
    ...groups.map((g) => el('option', { value: g.name }, gname(g)))]);
  const inGroup = (st) => {
    const g = groups.find((x) => x.name === group.value);
    return !g || g.states.includes(st);
  };
  main.appendChild(el('div', { class: 'filters card', role: 'search' }, [
    el('div', {}, [el('label', { for: 'dir-search' }, t('directory.search')), q]),
    el('div', {}, [el('label', { for: 'dir-group' }, t('directory.group')), group]),
    el('div', {}, [el('label', { for: 'dir-role' }, t('directory.role')), role]),
    el('div', {}, [el('label', { for: 'dir-lang' }, t('directory.language')), lang]),
  ]));
  const list = el('div', { id: 'dir-list' });
  main.appendChild(list);
  const draw = () => {
    clear(list);
    const needle = q.value.trim().toLowerCase();
    let shown = 0;
    for (const s of dir.states) {
      if (!inGroup(s.state)) continue;
      const pocs = s.pocs.filter((p) => (!role.value || p.role === role.value) &&
        (!lang.value || (p.languages || []).includes(lang.value)) &&
        (!needle || [s.state, country(s.state), p.name, p.email, p.fingerprint].join(' ').toLowerCase().includes(needle)));
      if (pocs.length === 0 && (needle || role.value || lang.value)) continue;
      shown++;
      list.appendChild(el('section', { class: 'card state', 'data-state': s.state }, [
        el('h2', {}, stateLabel(s.state)),
        // A second root key (issue 10 item 12): the State once, every key
        // with its status, and a warning while one is not endorsed.
        s.warning === 'second-root-key' ? el('p', { class: 'card alarm', id: `root-warning-${s.state}` },
          t('directory.second_root', { state: stateLabel(s.state) })) : null,
        ...(s.roots && s.roots.length ? s.roots : [{ fingerprint: s.root_fingerprint, index: s.index, status: 'endorsed' }])
          .map((r) => el('p', { class: `hint root root-${r.status}` }, [t('directory.root', { fingerprint: r.fingerprint, index: r.index }),
            r.status && r.status !== 'endorsed' ? [' ', el('strong', {}, t(`directory.root_status.${r.status}`))] : null])),
        el('table', { class: 'list' }, [
          el('thead', {}, el('tr', {}, ['directory.role', 'directory.name', 'directory.email', 'directory.languages', 'directory.fingerprint', 'directory.status', 'directory.last_check']
            .map((k) => el('th', { scope: 'col' }, t(k))))),
          el('tbody', {}, pocs.map((p) => el('tr', { class: `poc status-${p.status}` }, [
            el('td', {}, t(`role.${p.role}`)), el('td', {}, bdi(p.name)), el('td', {}, bdi(p.email, { dir: 'ltr' })),
            el('td', {}, listOf((p.languages || []).map((l) => (LANGS.includes(l) ? t(`lang.${l}`) : l)))),
            el('td', { class: 'fpr' }, bdi(p.fingerprint)), el('td', {}, [t(`status.${p.status}`),
              p.unconfirmed ? [' ', el('strong', { class: 'unconfirmed' }, t('directory.unconfirmed'))] : null]),
            el('td', {}, p.last_check ? timeEl(p.last_check) : t('directory.never')),
          ]))),
        ]),
      ]));
    }
    if (shown === 0) list.appendChild(el('p', { class: 'empty' }, t('directory.none')));
  };
  for (const c of [q, group, role, lang]) c.addEventListener('input', draw);
  draw();
}
