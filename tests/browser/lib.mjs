// lib.mjs - what the browser journeys share: the browser, ok/FAIL lines,
// signing in, screenshots, and the checks run on every page (catalogue
// keys, labels, axe-core, the focus ring's contrast).
//
// axe-core (pinned in package-lock.json) is evaluated in the page through
// the DevTools protocol, so the node's Content-Security-Policy, which
// refuses inline scripts, stays as it is for the test.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

export const URL = { XA: process.env.XA_URL.trim(), XB: process.env.XB_URL.trim(), XC: process.env.XC_URL.trim() };
export const SHOTS = process.env.SHOTS;
export const PASSWORD = 'a long enough password';
let failed = 0;

export function ok(desc) { console.log(`ok   ${desc}`); }
export function bad(desc, e) { failed++; console.log(`FAIL ${desc}${e ? `: ${String(e.message || e).split('\n')[0]}` : ''}`); }
export function failures() { return failed; }
export async function step(desc, fn) {
  try { await fn(); ok(desc); return true; } catch (e) { bad(desc, e); return false; }
}
export function assert(c, msg) { if (!c) throw new Error(msg); }

// Text as a person reads it: without the Unicode isolates (FSI, PDI and
// the like) that keep each value's direction.
const ISOLATES = /[\u2066-\u2069]/g;
export const plain = (s) => (s || '').replace(ISOLATES, '');
export const txt = async (page, sel) => plain(await page.textContent(sel));

export const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});

// opts.timezoneId: the browser's zone (the zone shown beside every time).
export async function signIn(url, user, lang, opts) {
  const ctx = await browser.newContext(Object.assign({ viewport: { width: 1200, height: 900 }, locale: lang }, opts || {}));
  const page = await ctx.newPage();
  page.on('pageerror', (e) => bad(`no script error on ${user}'s page`, e));
  await page.goto(`${url}/#/inbox`);
  await page.waitForSelector('#login-form');
  if (lang !== 'en') {	// the chooser on the sign-in page itself
    await page.click(`.langs button[data-lang="${lang}"]`);
    await page.waitForSelector(`.langs button.current[data-lang="${lang}"]`);
  }
  if (user.startsWith('alice')) await shot(page, `${lang}-login`);
  await page.fill('#login-user', user);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
  await page.waitForSelector('#nav-inbox');
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

// Every form control has a label (a <label for>, or aria-label).
export async function allLabelled(page, where) {
  const bare = await page.$$eval('input, select, textarea', (els) => els
    .filter((e) => e.type !== 'hidden' && !e.getAttribute('aria-label') &&
      !(e.id && document.querySelector(`label[for="${e.id}"]`)))
    .map((e) => e.id || e.name || e.tagName));
  assert(bare.length === 0, `unlabelled controls on ${where}: ${bare.join(' ')}`);
}

export async function noMissingKeys(page, where) {
  const missing = await page.evaluate(() => window.__missingKeys);
  assert(missing.length === 0, `missing catalogue keys on ${where}: ${missing.join(' ')}`);
}

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// axe-core's WCAG 2.1 A and AA rules and its best practices on the page as
// it is: any violation fails, named with the elements it found.
export async function axe(page, where) {
  await page.evaluate(AXE);
  const v = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((x) => `${x.id} (${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
  });
  assert(v.length === 0, `axe on ${where}: ${v.join('; ')}`);
}

// The focus ring of the focused element: a visible outline at least 2 px
// wide whose colour has at least 3:1 contrast with the background it is
// drawn on (the first opaque background behind the element: the ring lies
// outside it).  null when nothing but the page has the focus.
export async function ringOf(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    let bg = null;
    for (let p = e.parentElement; p; p = p.parentElement) {
      const c = rgb(getComputedStyle(p).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) { bg = c; break; }
    }
    if (!bg) bg = [255, 255, 255];
    const s = getComputedStyle(e);
    const a = lum(rgb(s.outlineColor)), b = lum(bg);
    const id = e.id || `${e.tagName.toLowerCase()}${e.className ? '.' + e.className : ''}:${(e.textContent || '').trim().slice(0, 20)}`;
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    return { id, ok: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 && ratio >= 3,
      what: `${id}: ${s.outlineStyle} ${s.outlineWidth}, ${ratio.toFixed(2)}:1` };
  });
}

// Tabs through the whole page, measuring the ring of every element that
// takes the focus; returns how many there were.
export async function focusRings(page, where, max) {
  const seen = new Set();
  const problems = [];
  for (let i = 0; i < (max || 200); i++) {
    await page.keyboard.press('Tab');
    const r = await ringOf(page);
    if (!r) continue;
    if (seen.has(r.id)) break;	// round the page once
    seen.add(r.id);
    if (!r.ok) problems.push(r.what);
  }
  assert(problems.length === 0, `focus ring on ${where}: ${problems.join('; ')}`);
  assert(seen.size > 0, `nothing on ${where} takes the focus`);
  return seen.size;
}

// The node's API, called from the signed-in page (its cookie, its CSRF).
export async function api(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const s = await (await fetch('/api/session')).json();
    const r = await fetch(p, { method: m, headers: b ? { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf } : {},
      body: b ? JSON.stringify(b) : undefined });
    const j = await r.json();
    if (!r.ok) throw new Error(`${m} ${p}: ${r.status} ${j.error}`);
    return j;
  }, [method, path, body || null]);
}

export async function until(fn, what, ms) {
  const end = Date.now() + (ms || 30000);
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
