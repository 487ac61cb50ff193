// i18n_check.mjs - no word of the interface outside the catalogues.
//
//  1. Every catalogue share/web/i18n/<lang>.json has exactly the keys of
//     en.json, each a non-empty string, with the same {placeholders} (a
//     plural's variable counts as one).
//  1b. Every ICU plural ({n, plural, one {...} other {...}}) has each form
//     its language needs, by Intl.PluralRules (ar six, ru four, fr and es
//     three, en two, zh one), and no unknown form; no sentence hedges a
//     plural with "(s)" and the like.
//  2. Every key the modules ask for literally (t('key')) is in en.json.
//  3. The modules contain no literal that looks like words for a person: a
//     string with letters and a space, a capitalised word, or non-ASCII
//     letters, unless its line says "// no-i18n" (protocol names); CSS
//     class lists (class: '...') are not text.
//  4. index.html has no text outside elements marked data-i18n.
//  5. No module turns strings into markup or code (innerHTML, eval, ...).
// Prints ok/FAIL lines.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
let failed = 0;
const ok = (d) => console.log(`ok   ${d}`);
const bad = (d) => { failed++; console.log(`FAIL ${d}`); };

const langs = ['ar', 'en', 'es', 'fr', 'ru', 'zh'];
const cats = {};
for (const l of langs) {
  try { cats[l] = JSON.parse(readFileSync(join(root, 'i18n', `${l}.json`), 'utf8')); } catch (e) { bad(`catalogue ${l}.json: ${e.message}`); }
}
const en = cats.en || {};
// The values a message names: {name} and the n of {n, plural, ...}, each once.
const holes = (s) => [...new Set([...s.matchAll(/\{\s*(\w+)\s*(?:\}|,\s*plural\s*,)/g)].map((m) => m[1]))].sort().join();

// Each {VAR, plural, ...} of s: [VAR, [forms], error?].
function plurals(s) {
  const out = [];
  for (const m of s.matchAll(/\{\s*(\w+)\s*,\s*plural\s*,/g)) {
    const forms = [];
    let i = m.index + m[0].length, err = null;
    for (;;) {
      const sel = /^\s*(=\d+|\w+)\s*\{/.exec(s.slice(i));
      if (!sel) break;
      let depth = 0, j = i + sel[0].length - 1;
      for (; j < s.length; j++) {
        if (s[j] === '{') depth++;
        else if (s[j] === '}' && --depth === 0) break;
      }
      if (j >= s.length) { err = 'unbalanced braces'; break; }
      forms.push(sel[1]);
      i = j + 1;
    }
    if (!/^\s*\}/.test(s.slice(i))) err = err || 'does not end after its forms';
    out.push([m[1], forms, err]);
  }
  return out;
}
const HEDGE = { en: /\w\((s|es)\)/, fr: /\w\((e?s|e|x)\)/, es: /\w\((e?s)\)/, ru: /[а-я]\([а-я]{1,3}\)/, ar: /\(ات\)/, zh: /$^/ };
for (const l of langs) {
  const c = cats[l];
  if (!c) continue;
  const need = new Intl.PluralRules(l).resolvedOptions().pluralCategories;
  const wrong = [];
  let count = 0;
  for (const [k, s] of Object.entries(c)) {
    if (typeof s !== 'string') continue;
    if (HEDGE[l].test(s)) wrong.push(`${k}: hedged plural in "${s}"`);
    for (const [v, forms, err] of plurals(s)) {
      count++;
      const cats2 = forms.filter((f) => !f.startsWith('='));
      const lacks = need.filter((f) => !cats2.includes(f));
      const unknown = cats2.filter((f) => !need.includes(f));
      if (err) wrong.push(`${k}: plural of ${v} ${err}`);
      if (lacks.length) wrong.push(`${k}: plural of ${v} lacks ${lacks.join(', ')}`);
      if (unknown.length) wrong.push(`${k}: plural of ${v} has forms ${l} does not use: ${unknown.join(', ')}`);
    }
  }
  if (wrong.length) bad(`${l}.json plurals:\n  ${wrong.join('\n  ')}`);
  else ok(`${l}.json: every plural (${count}) has the forms ${need.join(' ')}; no hedged plural`);
}
for (const l of langs) {
  const c = cats[l];
  if (!c) continue;
  const missing = Object.keys(en).filter((k) => typeof c[k] !== 'string' || c[k].trim() === '');
  const extra = Object.keys(c).filter((k) => !(k in en));
  const wrong = Object.keys(en).filter((k) => typeof c[k] === 'string' && holes(c[k]) !== holes(en[k]));
  if (missing.length) bad(`${l}.json lacks ${missing.length} key(s): ${missing.slice(0, 8).join(' ')}`);
  else ok(`${l}.json has every key of en.json`);
  if (extra.length) bad(`${l}.json has keys en.json lacks: ${extra.slice(0, 8).join(' ')}`);
  if (wrong.length) bad(`${l}.json placeholders differ from en.json in: ${wrong.slice(0, 8).join(' ')}`);
}

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}
const js = files(join(root, 'js')).filter((f) => f.endsWith('.js'));
const used = new Set();
const prose = [];
for (const f of js) {
  const lines = readFileSync(f, 'utf8').split('\n');
  lines.forEach((line, i) => {
    const code = line.replace(/^\s*\/\/.*$/, '').replace(/\s\/\/ .*$/, '');
    for (const m of code.matchAll(/\bt\(\s*'([^'$`]+)'/g)) used.add(m[1]);
    if (/no-i18n/.test(line)) return;
    for (const m of code.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)) {
      const before = code.slice(Math.max(0, m.index - 14), m.index);
      if (/(class:|className =)\s*$/.test(before)) continue;	// CSS classes
      const s = (m[1] ?? m[2] ?? m[3] ?? '').replace(/\$\{[^}]*\}/g, '');
      if (/[A-Za-z]{2,}\s+[A-Za-z]{2,}/.test(s) || /^[A-Z][a-z]{2,}/.test(s) || /[\u00C0-\uFFFF]/.test(s)) {
        prose.push(`${f.slice(root.length + 1)}:${i + 1}: ${s}`);
      }
    }
  });
}
// No markup from strings anywhere: what a message says stays text.
const markup = [];
for (const f of js) {
  readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
    const code = line.replace(/^\s*\/\/.*$/, '');
    if (/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/.test(code)) markup.push(`${f}:${i + 1}`);
  });
}
if (markup.length) bad(`modules build markup from strings: ${markup.join(' ')}`);
else ok('no module builds markup from strings (innerHTML, eval and the like)');

const unknown = [...used].filter((k) => !(k in en));
if (unknown.length) bad(`keys used by the modules but missing from en.json: ${unknown.join(' ')}`);
else ok(`every literal key the modules use (${used.size}) is in en.json`);
if (prose.length) bad(`text written in the modules instead of the catalogue:\n  ${prose.join('\n  ')}`);
else ok(`no interface text hard-coded in ${js.length} modules`);

const html = readFileSync(join(root, 'index.html'), 'utf8');
const body = html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<style[\s\S]*?<\/style>/g, '');
const texts = [...body.matchAll(/>([^<]+)</g)].map((m) => m[1].trim()).filter((s) => s && !/^<!doctype/i.test(s));
if (texts.length) bad(`index.html has text outside the catalogue: ${texts.join(' | ')}`);
else ok('index.html has no text of its own');
const attrs = [...html.matchAll(/\s(title|alt|placeholder|aria-label)="([^"]*)"/g)].filter((m) => m[2].trim());
if (attrs.length) bad(`index.html has attribute text outside the catalogue: ${attrs.map((m) => m[0]).join(' ')}`);

process.exit(failed ? 1 : 0);
