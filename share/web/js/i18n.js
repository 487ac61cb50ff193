// i18n.js - the interface's words, dates and numbers in the user's language.
//
// Every word the page shows comes from share/web/i18n/<lang>.json through
// t(key, vars).  A key missing from the catalogue is shown as [key] and
// recorded in window.__missingKeys, which the browser tests check after each
// journey.  Dates and numbers go through Intl in the user's locale; country
// names come from the node (/api/countries, from Debian's iso-codes), with
// the code shown for anything that is not a country.  Arabic sets the page
// right to left.

import { get } from './api.js';

export const LANGS = ['ar', 'zh', 'en', 'fr', 'ru', 'es'];
const RTL = new Set(['ar']);

let lang = 'en';
let cat = {};
let countries = {};
window.__missingKeys = window.__missingKeys || [];

export function currentLang() { return lang; }

export async function setLang(l) {
  if (!LANGS.includes(l)) l = 'en';
  const r = await fetch(`/i18n/${l}.json`, { credentials: 'same-origin' });
  cat = await r.json();
  lang = l;
  document.documentElement.lang = l;
  document.documentElement.dir = RTL.has(l) ? 'rtl' : 'ltr';
  try { countries = await get(`/api/countries?lang=${l}`); } catch (e) { countries = {}; }
  document.title = t('app.title');
  translateStatic(document);
}

export function t(key, vars) {
  let s = cat[key];
  if (typeof s !== 'string') {
    if (!window.__missingKeys.includes(`${lang}:${key}`)) window.__missingKeys.push(`${lang}:${key}`);
    return `[${key}]`;
  }
  if (vars) {
    s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  }
  return s;
}

// Elements of index.html carry data-i18n (text) or data-i18n-aria-label.
export function translateStatic(root) {
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll('[data-i18n-aria-label]')) {
    e.setAttribute('aria-label', t(e.dataset.i18nAriaLabel));
  }
}

export function fmtTime(ms) {
  if (!ms) return t('common.none');
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(ms));
}

export function fmtDay(ms) {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'short' }).format(new Date(ms));
}

export function fmtNumber(n) {
  return new Intl.NumberFormat(lang).format(n);
}

export function fmtPercent(x) {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(x);
}

export function fmtDuration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 120) return t('duration.seconds', { n: fmtNumber(s) });
  if (s < 7200) return t('duration.minutes', { n: fmtNumber(Math.round(s / 60)) });
  return t('duration.hours', { n: fmtNumber(Math.round(s / 3600)) });
}

export function country(code) {
  return countries[code] || code;
}

// "France (FR)", or just "XA" for a code that names no country.
export function stateLabel(code) {
  return countries[code] ? t('common.state_label', { name: countries[code], code }) : code;
}
