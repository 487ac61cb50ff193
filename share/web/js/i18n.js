// i18n.js - the interface's words, dates and numbers in the user's language.
//
// Every word the page shows comes from share/web/i18n/<lang>.json through
// t(key, vars).  A key missing from the catalogue is shown as [key] and
// recorded in window.__missingKeys, which the browser tests check after each
// journey.  Dates and numbers go through Intl in the user's locale; country
// names come from the node (/api/countries, from Debian's iso-codes), with
// the code shown for anything that is not a country.  Arabic sets the page
// right to left.
//
// Catalogue strings are ICU-style messages: {name} is a value, and
// {n, plural, one {# message} other {# messages}} picks the form that
// Intl.PluralRules gives for n in the page's language (=0 {...} matches an
// exact number first), with # the number in the user's digits.  So no
// sentence says "message(s)", and Arabic's six forms and Russian's four are
// each written out (tests/browser/i18n_check.mjs checks that every plural
// has every form its language needs).
//
// Every value put into a sentence is wrapped in Unicode isolates (FSI ...
// PDI), so a fingerprint, a date, an id or a Latin name inside Arabic text
// keeps its own direction and order and does not pull the punctuation
// around it.  Values shown on their own go in elements with dir="auto"
// (bdi()), which the pages use for every id, fingerprint, subject and name.

import { get } from './api.js';
import { el } from './dom.js';

export const LANGS = ['ar', 'zh', 'en', 'fr', 'ru', 'es'];
const RTL = new Set(['ar']);
export const FSI = '\u2068';
export const PDI = '\u2069';

let lang = 'en';
let cat = {};
let countries = {};
let plurals = new Intl.PluralRules('en');
window.__missingKeys = window.__missingKeys || [];

export function currentLang() { return lang; }
export function isRtl(l) { return RTL.has(l || lang); }

export async function setLang(l) {
  if (!LANGS.includes(l)) l = 'en';
  const r = await fetch(`/i18n/${l}.json`, { credentials: 'same-origin' });
  cat = await r.json();
  lang = l;
  plurals = new Intl.PluralRules(l);
  document.documentElement.lang = l;
  document.documentElement.dir = RTL.has(l) ? 'rtl' : 'ltr';
  try { countries = await get(`/api/countries?lang=${l}`); } catch (e) { countries = {}; }
  document.title = t('app.title');
  translateStatic(document);
}

function isolate(v) {
  const s = typeof v === 'number' ? fmtNumber(v) : String(v);
  return s.startsWith(FSI) && s.endsWith(PDI) ? s : FSI + s + PDI;
}

// The text between the brace at s[i] and its match, or null.
function braced(s, i) {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    if (s[j] === '{') depth++;
    else if (s[j] === '}' && --depth === 0) return s.slice(i + 1, j);
  }
  return null;
}

// {n, plural, =0 {...} one {...} other {...}}: the branch for vars[n].
function plural(body, vars) {
  const m = /^\s*(\w+)\s*,\s*plural\s*,/.exec(body);
  const n = Number(vars[m[1]]);
  const branches = {};
  let rest = body.slice(m[0].length);
  for (;;) {
    const sel = /^\s*(=\d+|zero|one|two|few|many|other)\s*\{/.exec(rest);
    if (!sel) break;
    const text = braced(rest, sel[0].length - 1);
    if (text === null) break;
    branches[sel[1]] = text;
    rest = rest.slice(sel[0].length + text.length + 1);
  }
  const text = branches[`=${n}`] ?? branches[plurals.select(n)] ?? branches.other ?? '';
  return format(text.replace(/#/g, isolate(n)), vars);
}

function format(s, vars) {
  let out = '';
  for (let i = 0; i < s.length;) {
    const body = s[i] === '{' ? braced(s, i) : null;
    if (body === null) { out += s[i++]; continue; }
    if (/^\s*\w+\s*,\s*plural\s*,/.test(body)) out += plural(body, vars);
    else if (/^\w+$/.test(body) && body in vars) out += isolate(vars[body]);
    else out += `{${body}}`;
    i += body.length + 2;
  }
  return out;
}

export function t(key, vars) {
  const s = cat[key];
  if (typeof s !== 'string') {
    if (!window.__missingKeys.includes(`${lang}:${key}`)) window.__missingKeys.push(`${lang}:${key}`);
    return `[${key}]`;
  }
  return s.includes('{') ? format(s, vars || {}) : s;
}

// Is key in the catalogue, with every {name} it says among vars?  (A
// detail the node sent as a code with its facts is said in the reader's
// language only when it can be said whole.)
export function has(key, vars) {
  const s = cat[key];
  if (typeof s !== 'string') return false;
  return [...s.matchAll(/\{\s*(\w+)/g)].every((m) => vars && vars[m[1]] !== undefined && vars[m[1]] !== null);
}

// What the node refused, in the reader's words: the catalogue's sentence
// for the answer's stable code (error.CODE, with the answer's facts) when
// there is one, else the node's own sentence, marked as the node's.  The
// node's English is never the only text when a code says it better.
export function refusal(e) {
  const b = e && e.body;
  if (b && typeof b.code === 'string' && has(`error.${b.code}`, b)) return t(`error.${b.code}`, b);
  return t('common.node_says', { error: (e && e.message) || String(e) });
}

// Elements of index.html carry data-i18n (text) or data-i18n-aria-label.
export function translateStatic(root) {
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll('[data-i18n-aria-label]')) {
    e.setAttribute('aria-label', t(e.dataset.i18nAriaLabel));
  }
}

// A sentence without its isolates, for text the user edits and signs.
export function plainText(s) {
  return s.replace(/[\u2066-\u2069]/g, '');
}

// A list of values in a sentence: each value isolated, joined by the
// language's separator, so "XB, France (FR)" keeps its order in Arabic.
export function list(items) {
  return items.map(isolate).join(t('common.list_sep'));
}

// A code written left to right in every language (TLP:AMBER), where no
// element can carry dir="ltr" (the text of an <option>).
export function ltr(s) {
  return `\u2066${s}${PDI}`;
}

// A value shown on its own (an id, a fingerprint, a name, a subject): its
// direction from its own first strong letter, and its language when known.
export function bdi(value, attrs) {
  return el('bdi', Object.assign({ dir: 'auto' }, attrs || {}), value);
}

// Times: the user's zone, named, with seconds (two checks in the same
// minute are told apart); fmtUtc gives the same instant in UTC.
export function fmtTime(ms) {
  if (!ms) return t('common.none');
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'long' }).format(new Date(ms));
}

export function fmtUtc(ms) {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'long', timeZone: 'UTC' }).format(new Date(ms));
}

// A <time> element: the user's time and zone, the UTC time on hover (and
// beside it, with utc: true), the instant in ISO 8601 for machines.
export function timeEl(ms, opts) {
  if (!ms) return el('span', {}, t('common.none'));
  const d = new Date(ms);
  const attrs = { datetime: d.toISOString(), title: t('time.utc', { time: fmtUtc(ms) }), dir: 'auto' };
  if (opts && opts.utc) return el('time', attrs, t('time.with_utc', { time: fmtTime(ms), utc: fmtUtc(ms) }));
  return el('time', attrs, fmtTime(ms));
}

export function fmtDay(ms) {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'short' }).format(new Date(ms));
}

// A time axis's labels: the day and month, and the time when the axis
// covers less than a few days.
export function fmtAxis(ms, span) {
  const o = span < 3 * 86400e3 ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' } :
    { month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(lang, o).format(new Date(ms));
}

export function fmtNumber(n) {
  return new Intl.NumberFormat(lang).format(n);
}

// A size in bytes, in the user's words and digits ("524,288 bytes",
// "524 288 байт"): Intl picks the plural.
export function fmtBytes(n) {
  return new Intl.NumberFormat(lang, { style: 'unit', unit: 'byte', unitDisplay: 'long' }).format(n);
}

export function fmtPercent(x) {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(x);
}

// "3 h 58 min", "45 s": Intl's units, so every language has its own words
// and plural forms.
export function fmtDuration(ms) {
  let s = Math.max(0, Math.round(ms / 1000));
  const parts = {};
  if (s >= 86400) { parts.days = Math.floor(s / 86400); s %= 86400; }
  if (s >= 3600) { parts.hours = Math.floor(s / 3600); s %= 3600; }
  if (!parts.days && s >= 60) { parts.minutes = Math.floor(s / 60); s %= 60; }
  if (!parts.days && !parts.hours && (s || !parts.minutes)) parts.seconds = s;
  if (typeof Intl.DurationFormat === 'function') {
    return new Intl.DurationFormat(lang, { style: 'short' }).format(parts);
  }
  const unit = { days: 'day', hours: 'hour', minutes: 'minute', seconds: 'second' };
  return Object.entries(parts).map(([k, v]) => new Intl.NumberFormat(lang,
    { style: 'unit', unit: unit[k], unitDisplay: 'short' }).format(v)).join(' ');
}

export function country(code) {
  return countries[code] || code;
}

// "France (FR)", or just "XA" for a code that names no country.
export function stateLabel(code) {
  return countries[code] ? t('common.state_label', { name: countries[code], code }) : code;
}
