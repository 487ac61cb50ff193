// process.mjs - the process pages (issue 13) driven as the people who use
// them, against the nodes run.sh started and the body "oewg" it recorded
// (Chair XA, members XA XB XC, a silence of 60 s):
//
//  - the Chair proposes from the command line (P1 in English with an Arabic
//    translation, P2, P3); a member sees them in the web, open, with the
//    deadline in its own time zone (Asia/Tokyo) and a live countdown;
//  - XC supports P1 in English; XB objects to P2 in Arabic, without a
//    reason (right to left, Arabic plurals); each button is offered only
//    while lib's rules allow it (no withdraw for a member that did not
//    propose; nothing more after an objection);
//  - the Chair withdraws P3 in the web;
//  - past the deadline the page says it waits for a checkpoint, then
//    (after the next record the hub logs) shows P1 adopted, P2 not adopted
//    with the objecting State named, P3 withdrawn, in Arabic and English;
//  - on every page: no missing catalogue key, every control labelled,
//    axe-core's rules.
//
// Prints ok/FAIL lines; run.sh counts them.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { URL, step, assert, plain, signIn, failures, browser, api, until, shot, noMissingKeys, allLabelled, axe } from './lib.mjs';

const words = (lang) => JSON.parse(readFileSync(new globalThis.URL(`../../share/web/i18n/${lang}.json`, import.meta.url), 'utf8'));
const AR = words('ar'), EN = words('en');
const ROSTER = process.env.ROSTER;
const tmp = mkdtempSync(join(tmpdir(), 'procweb-'));

function propose(text, translations) {
  const f = join(tmp, `p${Date.now()}${Math.random()}.txt`);
  writeFileSync(f, text);
  const args = ['propose', '--body', 'oewg', '--text-file', f, '--lang', 'en', '--dir', process.env.XA_DIR];
  for (const [l, s] of Object.entries(translations || {})) {
    const g = `${f}.${l}`;
    writeFileSync(g, s);
    args.push('--translation', `${l}=${g}`);
  }
  const out = execFileSync(ROSTER, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const m = /proposal ([0-9a-f]{64}) logged/.exec(out);
  assert(m, `no proposal id in: ${out}`);
  return m[1];
}

const decision = async (page, id) => (await api(page, 'GET', '/api/process')).decisions.find((d) => d.id === id);
const open = async (page, id) => {
  // (a query of its own, so the page is drawn afresh even when it is the one shown)
  await page.evaluate((x) => { location.hash = `#/process/${x}?at=${Date.now()}`; }, id);
  await page.waitForSelector('#proc-h');
  await page.waitForFunction((x) => document.querySelector('#proc-h') && document.querySelector('#proc-h').textContent.includes(x), id.slice(0, 16));
};
const statusOf = (page) => page.getAttribute('#proc-status .flag', 'data-status');
const checks = async (page, where) => { await noMissingKeys(page, where); await allLabelled(page, where); await axe(page, where); };

let P1, P2, P3, xc, xb, xa;
await step('the Chair proposes P1 (en, with ar), P2 and P3 from the command line', async () => {
  P1 = propose('The working group adopts its programme of work.', { ar: 'يعتمد الفريق العامل برنامج عمله.' });
  P2 = propose('The working group meets in Geneva.');
  P3 = propose('A third text, to be withdrawn.');
});

await step('[en] XC sees the three open, the deadline in its own zone (Asia/Tokyo), with a countdown', async () => {
  xc = await signIn(URL.XC, 'carol-en', 'en', { timezoneId: 'Asia/Tokyo' });
  await until(async () => (await decision(xc, P3)), 'P3 at XC');
  await xc.click('#nav-process');
  await xc.waitForSelector('#process-table');
  for (const id of [P1, P2, P3]) {
    const row = `#process-table tr[data-id="${id}"]`;
    await xc.waitForSelector(row);
    assert(await xc.getAttribute(`${row} .flag`, 'data-status') === 'open', `${id.slice(0, 8)} is not shown open`);
  }
  const d = await decision(xc, P1);
  const dt = await xc.getAttribute(`#process-table tr[data-id="${P1}"] .deadline time`, 'datetime');
  assert(dt === new Date(d.deadline).toISOString(), `deadline ${dt}, not ${new Date(d.deadline).toISOString()}`);
  const shown = plain(await xc.textContent(`#process-table tr[data-id="${P1}"] .deadline time`));
  assert(/GMT\+9/.test(shown), `the deadline is not in Tokyo time: ${shown}`);
  assert(await xc.$(`#process-table tr[data-id="${P1}"] .countdown`), 'no countdown');
  await checks(xc, 'the process list (en)');
  await shot(xc, 'en-process');
});

await step('[en] XC opens P1: both texts, each in its language; support and object offered, not withdraw; it supports', async () => {
  await xc.click(`#proc-link-${P1.slice(0, 16)}`);
  await xc.waitForSelector('#proc-text');
  assert(await xc.$('.proc-version[data-lang="ar"] p[lang="ar"][dir="auto"]'), 'the Arabic text is not marked lang=ar dir=auto');
  assert(plain(await xc.textContent('.proc-version[data-lang="en"]')).includes('(original)'), 'the original is not said');
  assert(await xc.$('#proc-object') && await xc.$('#proc-support'), 'object or support not offered');
  assert(!(await xc.$('#proc-withdraw')), 'withdraw offered to a member that did not propose');
  await checks(xc, 'a proposal (en)');
  await xc.click('#proc-support');
  await xc.waitForSelector('#proc-own');
  assert(plain(await xc.textContent('#proc-own')) === EN['process.own.support'], 'its support is not said');
  await until(async () => (await decision(xc, P1)).supports === 1, 'the support logged', 30000);
  await xc.waitForFunction(() => !document.querySelector('#proc-support'));
  assert(await xc.$('#proc-object'), 'a supporter may still object, and is no longer offered to');
});

await step('[ar] XB, in Arabic, right to left, objects to P2 without a reason; nothing more is offered', async () => {
  xb = await signIn(URL.XB, 'bob-ar', 'ar');
  assert(await xb.getAttribute('html', 'dir') === 'rtl', 'not right to left');
  await until(async () => (await decision(xb, P2)), 'P2 at XB');
  await xb.click('#nav-process');
  await xb.waitForSelector('#process-table');
  assert(plain(await xb.textContent('h1')) === AR['process.title'], 'the heading is not the Arabic one');
  await open(xb, P2);
  assert(!(await xb.$('#proc-withdraw')), 'withdraw offered to XB');
  await checks(xb, 'a proposal (ar)');
  await xb.click('#proc-object');
  await xb.waitForSelector('#proc-own');
  assert(plain(await xb.textContent('#proc-own')) === AR['process.own.object'], 'the objection is not said in Arabic');
  await until(async () => (await decision(xb, P2)).objections === 1, 'the objection logged', 30000);
  await xb.waitForSelector('#proc-no-action');
  assert(!(await xb.$('#proc-object')) && !(await xb.$('#proc-support')), 'a position offered after an objection');
  const counts = plain(await xb.textContent('#proc-counts'));
  assert(counts.includes('اعتراض واحد'), `the Arabic singular is not used: ${counts}`);
  await shot(xb, 'ar-process-objected');
});

await step('[en] the Chair XA withdraws P3 in the web; P1, its own, is offered for withdrawal too', async () => {
  xa = await signIn(URL.XA, 'alice-en', 'en');
  await until(async () => (await decision(xa, P3)), 'P3 at XA');
  await open(xa, P3);
  await xa.click('#proc-withdraw');
  await until(async () => (await decision(xa, P3)).status === 'withdrawn', 'the withdrawal logged', 30000);
  await xa.waitForFunction(() => document.querySelector('#proc-status .flag[data-status="withdrawn"]'));
  assert(plain(await xa.textContent('#proc-status')).includes('Withdrawn by'), 'who withdrew it is not said');
  assert(await xa.$('#proc-no-action'), 'something still offered on a withdrawn proposal');
  await open(xa, P1);
  assert(await xa.$('#proc-withdraw'), 'the proposer is not offered to withdraw');
});

let P4;
await step('past the deadline, with nothing logged after it, the page says it waits for a checkpoint', async () => {
  const d = await decision(xc, P1);
  await until(async () => Date.now() > d.deadline + 1500, 'the deadline', 120000);
  await open(xc, P1);
  const v = await api(xc, 'GET', '/api/process');
  const e = v.decisions.find((x) => x.id === P1);
  assert(v.as_of < d.deadline, `a checkpoint past the deadline came anyway (as_of ${v.as_of}, deadline ${d.deadline}, status ${e.status}, act ${v.act_time})`);
  await xc.waitForSelector('#proc-waiting', { timeout: 5000 }).catch(async () => {
    throw new Error(`no waiting note; shown: ${plain(await xc.textContent('#proc-fields'))}; status ${e.status}, act ${v.act_time}, deadline ${d.deadline}`);
  });
  assert(await statusOf(xc) === 'open', 'called decided with no checkpoint past the deadline');
  assert(!(await xc.$('#proc-object')), 'an objection offered past the deadline');
});

await step('[ar] after the next record, XB sees P1 adopted, P2 not adopted with itself named, P3 withdrawn', async () => {
  P4 = propose('A fourth text, so that the hub logs something after the deadline.');
  await until(async () => (await decision(xb, P1)).status === 'adopted', 'P1 adopted at XB', 60000);
  await open(xb, P1);
  await xb.waitForFunction(() => document.querySelector('#proc-status .flag[data-status="adopted"]'));
  assert(plain(await xb.textContent('#proc-status')).includes(AR['process.decision.adopted']), 'the decision is not said in Arabic');
  await open(xb, P2);
  await xb.waitForFunction(() => document.querySelector('#proc-status .flag[data-status="not-adopted"]'));
  const s = plain(await xb.textContent('#proc-status'));
  assert(s.includes('اعترض عضو واحد'), `the Arabic singular is not used: ${s}`);
  assert(plain(await xb.textContent('#proc-objecting')).includes('XB'), 'the objecting State is not named');
  await checks(xb, 'a decided proposal (ar)');
  await shot(xb, 'ar-process-decided');
  await xb.click('#proc-back');
  await xb.waitForSelector('#process-table');
  assert(await xb.getAttribute(`#process-table tr[data-id="${P3}"] .flag`, 'data-status') === 'withdrawn', 'P3 not withdrawn in the list');
  assert(await xb.getAttribute(`#process-table tr[data-id="${P4}"] .flag`, 'data-status') === 'open', 'P4 not open in the list');
});

await step('[en] XC sees the same outcomes, and the proof', async () => {
  await until(async () => (await decision(xc, P1)).status === 'adopted', 'P1 adopted at XC', 60000);
  await open(xc, P2);
  await xc.waitForFunction(() => document.querySelector('#proc-status .flag[data-status="not-adopted"]'));
  assert(plain(await xc.textContent('#proc-status')).includes('Not adopted: 1 member objected'), 'the English singular is not used');
  assert(/positions at log indexes \d+/.test(plain(await xc.textContent('#proc-proof'))), 'no proof indexes');
  await checks(xc, 'a decided proposal (en)');
});

await browser.close();
process.exit(failures() ? 1 : 0);
