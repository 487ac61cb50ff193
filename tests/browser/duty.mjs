// duty.mjs - the duty officer's journeys (issue 10), in English and Arabic,
// against the three nodes run.sh started (after journeys.mjs).
//
//  - a forwarded message shows the verified original with its own
//    verification (signed by whom, in the log where, content checked);
//  - compose on a template: no choice pre-selected, required fields marked
//    and refused next to the field in the user's language, several values
//    for a "one or more" field, help texts, a date-time picker whose value
//    is sent in UTC;
//  - times carry their zone and UTC; a live countdown to the deadline, no
//    emphasis once acknowledged;
//  - in Arabic every value keeps its own direction (isolates around each,
//    measured through the rendered text's boxes);
//  - #/message/<16 hex> opens the message; plurals in the user's language;
//  - the checks page: a badge and a list for a check to answer, checks told
//    apart by short id and second, a legend, charts with a time axis, a
//    legend, lines told apart by more than colour, tooltips and a table;
//  - keyboard only: sign-in, open, acknowledge, compose and send, where the
//    focus lands and what the live region says; the skip link; the focus
//    kept across a live redraw; a title per view; the focus ring's
//    contrast; lang on text in another language; axe-core on every page.
//
// Where the node's API does not give yet what a page uses (the catalogue
// type and "multiple" of a template field: docs/web-api-needs.md), the test
// adds it to the API's answer from share/catalogue, the same files the node
// reads, and only when the answer lacks it.
// Prints ok/FAIL lines; run.sh counts them.

import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { URL, PASSWORD, browser, step, bad, assert, plain, txt, signIn, shot, noMissingKeys, axe, focusRings, ringOf, failures } from './lib.mjs';

const TOP = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FSI = '\u2068', PDI = '\u2069';
const ZONES = { en: 'Asia/Tokyo', ar: 'Asia/Riyadh' };	// GMT+9, GMT+3: never UTC
const W = {
  en: {
    required: 'This field is required.', choose: '— choose —', acked: 'You have acknowledged this message.',
    due: /^due in 3 hr, 5\d min$/, noSuch: 'No message on this node has an id starting with',
    alarms2: '2 alarms', banner2: 'recorded 2 signs', open1: 'A check waits for your answer', toAnswer: '1 to answer',
  },
  ar: {
    required: 'هذا الحقل مطلوب.', choose: '— اختر —', acked: null, due: /^يحين الموعد بعد /,
    noSuch: 'لا توجد في هذه العقدة رسالة يبدأ معرّفها بـ', alarms2: 'إنذاران', banner2: 'مؤشرين',
    open1: 'اختبار واحد بانتظار ردك', toAnswer: 'للرد:',
  },
};

// The node's API, called from the signed-in page (its cookie, its CSRF).
async function api(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const s = await (await fetch('/api/session')).json();
    const r = await fetch(p, { method: m, headers: b ? { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf } : {},
      body: b ? JSON.stringify(b) : undefined });
    const j = await r.json();
    if (!r.ok) throw new Error(`${m} ${p}: ${r.status} ${j.error}`);
    return j;
  }, [method, path, body || null]);
}

async function until(fn, what, ms) {
  const end = Date.now() + (ms || 30000);
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const inInbox = (page, subject) => until(async () => (await api(page, 'GET', '/api/inbox')).find((m) => m.subject === subject),
  `"${subject}" in the inbox`);

// The template fields' catalogue type and "multiple", from share/catalogue,
// added to /api/templates' answer where the node does not give them.
function catalogueFields() {
  const dir = join(TOP, 'share', 'catalogue', 'templates');
  const out = {};
  for (const f of execFileSync('ls', [dir]).toString().split('\n').filter((x) => x.endsWith('.json'))) {
    const tpl = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    out[tpl.id] = Object.fromEntries(tpl.fields.map((x) => [x.name, { kind: x.type, multiple: !!x.multiple }]));
  }
  return out;
}
const CATALOGUE = catalogueFields();
async function withFieldKinds(page) {
  await page.route('**/api/templates', async (route) => {
    let r, j;
    try { r = await route.fetch(); j = await r.json(); } catch (e) { return; }
    for (const tp of j.templates) {
      for (const f of tp.fields) {
        const c = (CATALOGUE[tp.id] || {})[f.name];
        if (c && f.kind === undefined) f.kind = c.kind;
        if (c && f.multiple === undefined) f.multiple = c.multiple;
      }
    }
    await route.fulfill({ response: r, json: j }).catch(() => {});	// (the page may have moved on)
  });
}

// Keyboard only: Tab (or Shift+Tab) until the focus is on sel.
async function tabTo(page, sel, back) {
  for (let i = 0; i < 120; i++) {
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), sel)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached ${sel}`);
}
const focused = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return e ? (e.id || e.tagName.toLowerCase()) : null;
});
const liveSays = (page) => page.evaluate(() => document.getElementById('live').textContent);

// x of each of the given substrings of the text node under sel, as drawn.
async function xs(page, sel, parts) {
  return page.evaluate(([s, ps]) => {
    const root = document.querySelector(s);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const out = [];
    for (const p of ps) {
      let x = null;
      walker.currentNode = root;
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = n.data.indexOf(p);
        if (i < 0) continue;
        const r = document.createRange();
        r.setStart(n, i); r.setEnd(n, i + p.length);
        x = r.getBoundingClientRect().x;
        break;
      }
      out.push(x);
    }
    return out;
  }, [sel, parts]);
}

async function duty(lang) {
  const w = W[lang];
  const tag = `${lang}-${Date.now().toString(36)}`;
  const opts = { timezoneId: ZONES[lang] };
  let xa, xb, xc;
  await step(`[${lang} duty] XA, XB and XC sign in (zone ${ZONES[lang]})`, async () => {
    xa = await signIn(URL.XA, `alice-${lang}`, lang, opts);
    xb = await signIn(URL.XB, `bob-${lang}`, lang, opts);
    xc = await signIn(URL.XC, `carol-${lang}`, lang, opts);
  });
  if (!xa || !xb || !xc) return;

  // 2. A forward shows the verified original.
  const origSubject = `Original ${tag}: scanning of 192.0.2.9.`;
  await step(`[${lang} duty] a forward shows the original it carries, with the original's own verification`, async () => {
    await api(xa, 'POST', '/api/send', { template: 'free-text', to: ['XB'], subject: origSubject,
      body: `Seen from 192.0.2.9 (${tag}).`, urgency: 'priority', tlp: 'GREEN', lang: 'en' });
    const m = await inInbox(xb, origSubject);
    await xb.goto(`${URL.XB}/#/message/${m.id}`);
    await xb.waitForSelector('#forward-form');
    await xb.selectOption('#forward-to', 'XC');
    await xb.fill('#forward-note', `For your information ${tag}`);
    await xb.click('#forward-button');
    await xb.waitForURL((u) => !u.href.endsWith(m.id));
    const fwd = await until(async () => (await api(xc, 'GET', '/api/inbox')).find((x) => x.from === 'XB' && x.subject.includes(tag)), 'the forward at XC');
    await xc.goto(`${URL.XC}/#/message/${fwd.id}`);
    await xc.waitForSelector('#original');
    assert(await txt(xc, '#original-subject') === origSubject, `original subject: ${await txt(xc, '#original-subject')}`);
    assert((await txt(xc, '#original-body')).includes(tag), 'original body missing');
    assert(await xc.getAttribute('#original-subject bdi', 'lang') === 'en', 'the original subject has no lang');
    const dir = await api(xc, 'GET', '/api/directory');
    const xaPoc = dir.states.find((s) => s.state === 'XA').pocs[0];
    const signer = await xc.textContent('#original-signer');
    assert(plain(signer).includes('POC XA'), `signer: ${signer}`);
    assert(signer.includes(FSI + xaPoc.fingerprint + PDI), `the signer's fingerprint is not isolated: ${signer}`);
    const cert = await xc.textContent('#original-certified');
    assert(cert.includes(dir.states.find((s) => s.state === 'XA').root_fingerprint), `certified: ${cert}`);
    assert(/\d/.test(await txt(xc, '#original-logged')), 'no log index');
    assert(await xc.locator('#original-content-ok.ok').count() === 1, 'content check not said');
    await noMissingKeys(xc, 'the forward');
    await axe(xc, `${lang} forward`);
    await shot(xc, `${lang}-forward-original`);
  });

  // 4. Compose on a template.
  let sentId = null;
  await step(`[${lang} duty] compose on a template: nothing pre-selected, required marked, refused next to the field in ${lang}`, async () => {
    await withFieldKinds(xa);
    await xa.goto(`${URL.XA}/#/compose`);
    await xa.waitForSelector('#compose-form');
    await xa.selectOption('#compose-template', 'incident-notification');
    await xa.waitForSelector('#field-incident_class');
    assert(await xa.inputValue('#field-incident_class') === '', 'incident class pre-selected');
    assert(await xa.inputValue('#field-impact') === '', 'impact pre-selected');
    assert(plain(await xa.textContent('#field-incident_class option:checked')) === w.choose, 'no "choose" state');
    assert(await xa.locator('label[for="field-incident_class"] .required').count() === 1, 'required not marked');
    assert(await xa.locator('label[for="field-impact_description"] .required').count() === 0, 'optional field marked required');
    const help = JSON.parse(readFileSync(join(TOP, 'share/catalogue/templates/incident-notification.json'), 'utf8'))
      .fields.find((f) => f.name === 'first_seen').help[lang];
    assert(plain(await xa.textContent('#field-first_seen-help')) === help, 'help text not shown');
    assert(await xa.getAttribute('#field-first_seen', 'type') === 'datetime-local', 'no date-time picker');
    const fmt = plain(await xa.textContent('#field-first_seen-format'));
    assert(/UTC|التوقيت العالمي/.test(fmt), `format in words: ${fmt}`);
    assert(await xa.locator('#field-sector input[type=checkbox]').count() >= 10, 'sectors are not a multiple choice');
    await xa.check('#to-XB');
    const before = (await api(xa, 'GET', '/api/sent')).length;
    await xa.click('#compose-send');
    await xa.waitForSelector('#field-incident_class-error:not([hidden])');
    assert(plain(await xa.textContent('#field-incident_class-error')) === w.required, 'error not in the user\'s language');
    assert(await xa.getAttribute('#field-incident_class', 'aria-invalid') === 'true', 'not marked invalid');
    assert((await xa.getAttribute('#field-incident_class', 'aria-describedby')).includes('field-incident_class-error'), 'error not tied to the field');
    assert(await focused(xa) === 'field-incident_class', `focus on ${await focused(xa)}`);
    assert(await xa.locator('#field-sector-error:not([hidden])').count() === 1, 'no error for sectors');
    assert((await api(xa, 'GET', '/api/sent')).length === before, 'something was sent');
    await axe(xa, `${lang} compose, refused`);
    await shot(xa, `${lang}-compose-refused`);
  });
  await step(`[${lang} duty] compose on a template: several sectors, a date in the user's zone sent in UTC`, async () => {
    await xa.fill('#field-subject', `Incident ${tag}`);
    await xa.selectOption('#field-incident_class', 'availability');
    await xa.selectOption('#field-impact', 'moderate');
    await xa.check('#field-sector input[value=energy]');
    await xa.check('#field-sector input[value=health]');
    await xa.fill('#field-first_seen', '2026-11-22T09:30');
    await xa.selectOption('#compose-urgency', 'urgent');
    await xa.click('#compose-send');
    await xa.waitForURL(/#\/message\/[0-9a-f]{64}$/);
    sentId = xa.url().split('/').pop();
    const m = await api(xa, 'GET', `/api/messages/${sentId}`);
    assert(JSON.stringify(m.fields.sector) === '["energy","health"]', `sectors: ${JSON.stringify(m.fields.sector)}`);
    const utc = new Date(new Date('2026-11-22T09:30:00Z').getTime() - { en: 9, ar: 3 }[lang] * 3600e3).toISOString().slice(0, 19) + 'Z';
    assert(m.fields.first_seen === utc, `first seen ${m.fields.first_seen}, expected ${utc}`);
    assert(m.fields.impact_description === undefined, 'an empty optional field was sent');
    await xa.unroute('**/api/templates');
  });
  if (!sentId) {	// the same message through the API, so the next steps test what they test
    sentId = (await api(xa, 'POST', '/api/send', { template: 'incident-notification', to: ['XB'], subject: `Incident ${tag}`,
      body: '', urgency: 'urgent', tlp: 'AMBER', lang,
      fields: { incident_class: 'availability', impact: 'moderate', sector: ['energy', 'health'], first_seen: '2026-11-22T00:30:00Z' } })).id;
  }

  // 5, 6, 22. The message at XB: zone, UTC, countdown; values isolated.
  await step(`[${lang} duty] times show the zone and UTC; the deadline counts down live`, async () => {
    await inInbox(xb, `Incident ${tag}`);
    await xb.goto(`${URL.XB}/#/message/${sentId}`);
    await xb.waitForSelector('#countdown');
    const dl = plain(await xb.textContent('#deadline'));
    assert(/GMT\+9|GMT\+3|غرينتش\+3|\+3/.test(dl), `no zone in "${dl}"`);
    assert(/UTC|التوقيت العالمي/.test(dl), `no UTC in "${dl}"`);
    const cd = plain(await xb.textContent('#countdown'));
    assert(w.due.test(cd), `countdown "${cd}"`);
    const title = await xb.getAttribute('#message-rendered time', 'title');
    assert(title && /UTC|التوقيت العالمي/.test(title), `no UTC on hover: ${title}`);
    // live: moved two minutes from the deadline, it reads in seconds
    // (again if a live redraw replaced the element meanwhile)
    let cd2 = cd;
    for (let i = 0; i < 5 && cd2 === cd; i++) {
      await xb.evaluate(() => { document.getElementById('countdown').dataset.due = String(Date.now() + 100e3); });
      await xb.waitForTimeout(1500);
      cd2 = plain(await xb.textContent('#countdown'));
    }
    assert(/\d/.test(cd2) && cd2 !== cd, `countdown not live: ${cd2}`);
  });
  await step(`[${lang} duty] the date of a template field is shown in the reader's zone with UTC beside it`, async () => {
    const t = await xb.getAttribute('#message-rendered time', 'datetime');
    assert(t && t.startsWith('2026-11-22T'), `datetime: ${t}`);
    const s = plain(await xb.textContent('#message-rendered time'));
    assert(/UTC|التوقيت العالمي/.test(s), `no UTC beside: ${s}`);
  });
  if (lang === 'ar') {
    await step('[ar duty] right to left: every value keeps its own direction, order and punctuation', async () => {
      // An English subject on an Arabic page: its language, and its full
      // stop drawn after its last word (to the right), not before the first.
      await xb.goto(`${URL.XB}/#/inbox`);
      await xb.waitForSelector('#inbox-table');
      const om = await inInbox(xb, origSubject);
      await xb.goto(`${URL.XB}/#/message/${om.id}`);
      await xb.waitForSelector('#message-subject');
      assert(await xb.getAttribute('#message-subject', 'lang') === 'en', 'no lang="en" on the English subject');
      const [scan, dot] = await xs(xb, '#message-subject', ['scanning', '9.']);
      assert(scan !== null && dot !== null && dot > scan, `English subject drawn right to left: "scanning" at ${scan}, "9." at ${dot}`);
      // The signer's fingerprint: isolated in the sentence, its groups in order.
      const v = await xb.textContent('#verify-signer');
      const fpr = (await api(xb, 'GET', `/api/messages/${om.id}`)).verification.signer.fingerprint;
      assert(v.includes(FSI + fpr + PDI), 'fingerprint not isolated');
      const groups = fpr.split(' ').slice(0, 4);
      const gx = await xs(xb, '#verify-signer', groups);
      assert(gx.every((x, i) => i === 0 || x > gx[i - 1]), `fingerprint groups out of order: ${gx}`);
      // Numbers and dates inside sentences are isolated too.
      const logged = await xb.textContent('#verify-logged');
      assert((logged.match(new RegExp(FSI, 'g')) || []).length >= 2, `log index and time not isolated: ${logged}`);
      const cert = await xb.textContent('#verify-certified');
      assert(cert.includes(FSI) && cert.includes(PDI), 'certificate sentence not isolated');
      // Ids and fingerprints alone in a cell keep their own direction.
      await xb.click('#nav-directory');
      await xb.waitForSelector('#dir-list');
      const bad = await xb.$$eval('#dir-list td.fpr', (tds) => tds.filter((td) => !td.querySelector('bdi[dir=auto]')).length);
      assert(bad === 0, `${bad} fingerprints without isolation`);
      await shot(xb, 'ar-directory-isolated');
      // A TLP code in a choice list (no element to carry dir) is isolated left to right.
      await xb.click('#nav-compose');
      await xb.waitForSelector('#compose-tlp');
      const opts = await xb.$$eval('#compose-tlp option', (o) => o.map((x) => x.textContent));
      assert(opts.every((o) => o.startsWith('\u2066') && o.endsWith('\u2069')), `TLP choices: ${opts}`);
      // A list of States in a sentence: each isolated.
      const grp = await xb.textContent('label[for="to-group-forum"]');
      assert(grp.includes(`${FSI}XB${PDI}`), `group's States not isolated one by one: ${grp}`);
    });
  }

  // 13. Short ids.
  await step(`[${lang} duty] #/message/<16 hex> opens the message; an unknown prefix is said in ${lang}`, async () => {
    await xb.goto(`${URL.XB}/#/message/${sentId.slice(0, 16)}`);
    await xb.waitForSelector('#message-subject');
    assert(await txt(xb, '#message-subject') === `Incident ${tag}`, 'wrong message');
    await xb.goto(`${URL.XB}/#/message/0000ffff0000ffff`);
    await xb.waitForSelector('#page-error');
    assert(plain(await xb.textContent('#page-error')).includes(w.noSuch), await xb.textContent('#page-error'));
  });

  // 20, 22. Acknowledging from the keyboard: focus and the live region.
  await step(`[${lang} duty] keyboard only: open the message from the inbox, acknowledge, hear it said`, async () => {
    await xb.goto(`${URL.XB}/#/inbox`);
    await xb.waitForSelector('#inbox-table');
    const link = `#open-${sentId.slice(0, 16)}`;
    await tabTo(xb, link);
    await xb.keyboard.press('Enter');
    await xb.waitForSelector('#ack-note');
    assert(await focused(xb) === 'message-subject', `focus on ${await focused(xb)} after opening`);
    const title = await xb.title();
    assert(title.includes(`Incident ${tag}`), `title: ${title}`);
    await tabTo(xb, '#ack-note');
    await xb.keyboard.type(`Seen ${tag}`);
    await xb.keyboard.press('Tab');
    assert(await focused(xb) === 'ack-button', 'Tab does not go to the button');
    await xb.keyboard.press('Enter');
    await xb.waitForSelector('#acked-note');
    const said = await liveSays(xb);
    const expect = w.acked || plain(await xb.textContent('#acked-note'));
    assert(said === expect, `live region says "${said}"`);
    assert(await focused(xb) === 'acked-note', `focus on ${await focused(xb)} after acknowledging`);
    // 5. acknowledged: no countdown, no emphasis
    assert(await xb.locator('#countdown').count() === 0, 'countdown after acknowledging');
    assert(await xb.locator('strong#deadline').count() === 0 && await xb.locator('#deadline.is-done').count() === 1, 'deadline still emphasised');
    await shot(xb, `${lang}-message-acknowledged-duty`);
  });

  // 14. Plurals: two alarms on XA (journeys.mjs recorded none on a fresh run: add two).
  await step(`[${lang} duty] plurals in ${lang}: two alarms`, async () => {
    const n = Number(execFileSync('sqlite3', [`${process.env.XA_DIR}/node.db`, 'SELECT count(*) FROM alarms']).toString());
    for (let i = n; i < 2; i++) {
      execFileSync('sqlite3', [`${process.env.XA_DIR}/node.db`,
        `INSERT INTO alarms(time, kind, text) VALUES(strftime('%s','now')*1000, 'foreign-key-record', 'test: alarm ${i}')`]);
    }
    const total = Number(execFileSync('sqlite3', [`${process.env.XA_DIR}/node.db`, 'SELECT count(*) FROM alarms']).toString());
    assert(total === 2, `${total} alarms`);
    await xa.goto(`${URL.XA}/#/trust`);
    await xa.waitForSelector('#trust-alarms');
    const h = plain(await xa.textContent('#trust-alarms h2'));
    assert(h === w.alarms2, `heading "${h}"`);
    await xa.waitForFunction((b) => document.getElementById('alarm').textContent.replace(/[\u2066-\u2069]/g, '').includes(b),
      w.banner2, { timeout: 10000 }).catch(() => {});
    const banner = plain(await xa.textContent('#alarm'));
    assert(banner.includes(w.banner2), `banner "${banner}"`);
    assert(!/\((s|es)\)/.test(await xa.evaluate(() => document.body.innerText)), 'a hedged plural on the page');
    assert(await xa.getAttribute('#trust-alarms .detail', 'lang') === 'en', 'the node\'s English detail has no lang');
  });

  await xa.context().close();
  await xb.context().close();
  await xc.context().close();
}

// 15. The checks page.
async function checksPage(lang) {
  const w = W[lang];
  let xa, xb;
  const ids = [];
  await step(`[${lang} checks] XA starts two checks in the same minute, to XB and to XB and XC`, async () => {
    xa = await signIn(URL.XA, `alice-${lang}`, lang, { timezoneId: ZONES[lang] });
    xb = await signIn(URL.XB, `bob-${lang}`, lang, { timezoneId: ZONES[lang] });
    // (XB answers what earlier journeys left open, so it has these two to answer)
    for (const c of await api(xb, 'GET', '/api/checks')) {
      if (String(c.status).startsWith('OPEN')) await api(xb, 'POST', `/api/checks/${c.id}/answer`, {});
    }
    for (const to of ['XB', 'XB,XC']) ids.push((await api(xa, 'POST', '/api/checks', { to, deadline: '1h' })).id);
  });
  if (ids.length !== 2) return;
  await step(`[${lang} checks] XB's navigation shows a badge for the checks to answer`, async () => {
    await xb.goto(`${URL.XB}/#/inbox`);
    await xb.waitForSelector('#open-checks', { timeout: 30000 });
    const b = plain(await xb.textContent('#open-checks'));
    assert(b.includes(w.toAnswer.replace(/\s*\d.*$/, '')) && /\d|[٠-٩]/.test(b), `badge "${b}"`);
  });
  await step(`[${lang} checks] the page lists them at the top, told apart by short id and seconds, with a legend`, async () => {
    await xb.click('#nav-checks');
    await xb.waitForSelector('#checks-open');
    await until(async () => (await xb.locator('#checks-open li').count()) >= 2, 'both checks listed', 30000);
    for (const id of ids) {
      const row = xb.locator(`#checks-table tr[data-id="${id}"]`);
      await row.waitFor({ timeout: 20000 });
      assert(plain(await row.locator('.check-id').textContent()) === id.slice(0, 16), 'no short id');
      assert(await xb.locator(`#answer-top-${id.slice(0, 16)}`).count() === 1, 'no answer button at the top');
    }
    const times = await Promise.all(ids.map((id) => xb.locator(`#checks-table tr[data-id="${id}"] td:nth-child(2) time`).getAttribute('datetime')));
    const shown = await Promise.all(ids.map(async (id) => plain(await xb.locator(`#checks-table tr[data-id="${id}"] td:nth-child(2)`).textContent())));
    assert(times.every(Boolean), 'no machine-readable time');
    assert(shown.every((s) => /\d{1,2}[:٫:]\d{2}[:٫:]\d{2}|[٠-٩]{1,2}:[٠-٩]{2}:[٠-٩]{2}/.test(s)), `no seconds: ${shown}`);
    assert(await xb.locator('#checks-legend dt').count() === 6, 'no legend of the statuses');
    const h = plain(await xb.textContent('#checks-open h2'));
    assert(h.includes(String(2)) || h.includes('٢') || h.includes('اختباران'), `heading "${h}"`);
    await shot(xb, `${lang}-checks-to-answer`);
    // answering from the keyboard: the result is said
    await tabTo(xb, `#answer-top-${ids[0].slice(0, 16)}`);
    await xb.keyboard.press('Enter');
    await until(async () => (await liveSays(xb)).includes(ids[0].slice(0, 16)), 'the answer announced', 20000).catch(() => {});
    assert((await liveSays(xb)).includes(ids[0].slice(0, 16)), `live region: ${await liveSays(xb)} (for ${ids[0].slice(0, 16)})`);
    await until(async () => (await xb.locator(`#answer-top-${ids[0].slice(0, 16)}`).count()) === 0, 'the answered check leaving the list', 30000);
    const one = plain(await xb.textContent('#checks-open h2'));
    assert(one === w.open1, `heading "${one}"`);
  });
  await step(`[${lang} checks] charts: a time axis in ${lang}, a legend, lines told apart by more than colour, tooltips, a table`, async () => {
    await xa.goto(`${URL.XA}/#/checks`);
    await xa.waitForSelector('#chart-state-time');
    const ticks = await xa.$$eval('#chart-state-time .x-tick', (t) => t.map((x) => [x.textContent, x.getBBox().x, x.getBBox().width]));
    assert(ticks.length >= 2, `time axis: ${JSON.stringify(ticks)}`);
    for (let i = 1; i < ticks.length; i++) assert(ticks[i][1] >= ticks[i - 1][1] + ticks[i - 1][2], `axis labels overlap: ${JSON.stringify(ticks)}`);
    if (lang === 'ar') assert(ticks.every(([s]) => /[\u0600-\u06FF\u0660-\u0669]/.test(s)), `axis not in Arabic: ${ticks.map((x) => x[0])}`);
    const legend = await xa.$$eval('#chart-state-time .legend li', (l) => l.map((x) => x.dataset.series));
    const series = await xa.$$eval('#chart-state-time > svg polyline', (p) => p.map((x) => [x.dataset.series, x.getAttribute('stroke-dasharray') || 'solid']));
    assert(legend.length === series.length && series.length >= 2, `legend ${legend} for ${JSON.stringify(series)}`);
    assert(new Set(series.map((s) => s[1])).size === series.length, `lines told apart by colour only: ${JSON.stringify(series)}`);
    const shapes = await xa.$$eval('#chart-state-time > svg .point', (p) => [...new Set(p.map((x) => x.dataset.shape))]);
    assert(shapes.length >= 2, `markers: ${shapes}`);
    const tips = await xa.$$eval('#chart-state-time > svg .point title', (t) => t.map((x) => x.textContent));
    assert(tips.length && tips.every((s) => /%|٪/.test(s)), `tooltips: ${tips.slice(0, 3)}`);
    assert(await xa.locator('#chart-state-time table.chart-data tbody tr').count() === tips.length, 'table and points differ');
    await noMissingKeys(xa, 'checks');
    await axe(xa, `${lang} checks with charts`);
    await shot(xa, `${lang}-checks-charts`);
  });
  await xa.context().close();
  await xb.context().close();
}

// 19-22 and axe: every main page, keyboard journeys.
async function access(lang) {
  let xa;
  const titles = new Map();
  await step(`[${lang} a11y] keyboard only: sign in, and the focus lands on the inbox's heading`, async () => {
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: lang });
    xa = await ctx.newPage();
    xa.on('pageerror', (e) => bad(`no script error on alice-${lang}'s page`, e));
    if (lang !== 'en') await xa.addInitScript((l) => localStorage.setItem('roster.lang', l), lang);
    await xa.goto(`${URL.XA}/`);
    await xa.waitForSelector('#login-form');
    await axe(xa, `${lang} sign-in`);
    titles.set('login', await xa.title());
    assert(await focused(xa) === 'login-user', 'focus is not on the account name');
    await xa.keyboard.type(`alice-${lang}`);
    await xa.keyboard.press('Tab');
    await xa.keyboard.type(PASSWORD);
    await xa.keyboard.press('Enter');
    await xa.waitForSelector('#nav-inbox');
    await xa.waitForSelector('.page-inbox h1');
    await until(async () => (await xa.evaluate(() => document.activeElement && document.activeElement.tagName)) === 'H1', 'the focus on the heading', 5000);
  });
  if (!xa) return;
  for (const p of ['inbox', 'sent', 'compose', 'directory', 'checks', 'trust', 'settings']) {
    await step(`[${lang} a11y] ${p}: reached by keyboard, its own title, focus on its heading, axe finds nothing, focus ring >= 3:1`, async () => {
      await tabTo(xa, `#nav-${p}`);
      await xa.keyboard.press('Enter');
      await xa.waitForSelector(`.page-${p} h1`);
      await until(async () => (await xa.evaluate(() => document.activeElement && document.activeElement.tagName)) === 'H1', `the focus on ${p}'s heading`, 5000);
      titles.set(p, await xa.title());
      await axe(xa, `${lang} ${p}`);
      await focusRings(xa, `${lang} ${p}`);
    });
  }
  await step(`[${lang} a11y] a message page: axe finds nothing, focus ring >= 3:1`, async () => {
    const sent = await api(xa, 'GET', '/api/sent');
    await xa.goto(`${URL.XA}/#/message/${sent[0].id}`);
    await xa.waitForSelector('#verify-h');
    titles.set('message', await xa.title());
    await axe(xa, `${lang} message`);
    await focusRings(xa, `${lang} message`);
  });
  await step(`[${lang} a11y] every view has its own document.title`, async () => {
    const all = [...titles.values()];
    assert(new Set(all).size === all.length, `titles: ${JSON.stringify([...titles])}`);
  });
  await step(`[${lang} a11y] the skip link moves the focus to the content and keeps the draft`, async () => {
    await xa.goto(`${URL.XA}/#/compose`);
    await xa.waitForSelector('#compose-form');
    await xa.fill('#field-subject', 'draft kept');
    await xa.evaluate(() => { window.__stay = 1; });
    await tabTo(xa, 'a.skip', true);
    const ring = await ringOf(xa);
    assert(ring && ring.ok, `the skip link's focus ring: ${ring && ring.what}`);
    await xa.keyboard.press('Enter');
    assert(await focused(xa) === 'main', `focus on ${await focused(xa)}`);
    assert(xa.url().endsWith('#/compose'), `route changed to ${xa.url()}`);
    assert(await xa.inputValue('#field-subject') === 'draft kept', 'the draft was thrown away');
    assert(await xa.evaluate(() => window.__stay === 1), 'the page was reloaded');
  });
  await step(`[${lang} a11y] keyboard only: compose and send, the focus on the sent message's heading`, async () => {
    await tabTo(xa, '#nav-compose', true);
    await xa.keyboard.press('Enter');
    await xa.waitForSelector('#compose-form');
    await tabTo(xa, '#field-subject');
    await xa.keyboard.type(`Keyboard ${lang}`);
    await xa.keyboard.press('Tab');
    await xa.keyboard.type('Typed without a mouse.');
    await tabTo(xa, '#to-XB');
    await xa.keyboard.press('Space');
    await xa.waitForSelector('#compose-preview li');
    await tabTo(xa, '#compose-send');
    await xa.keyboard.press('Enter');
    await xa.waitForSelector('#recipients-table');
    assert(await focused(xa) === 'message-subject', `focus on ${await focused(xa)}`);
    assert(await txt(xa, '#message-subject') === `Keyboard ${lang}`, 'wrong message');
  });
  await step(`[${lang} a11y] a live redraw of the inbox keeps the focus where it was`, async () => {
    const xb = await signIn(URL.XB, `bob-${lang}`, lang);
    await xb.waitForSelector('#inbox-table a.subject');
    const link = await xb.getAttribute('#inbox-table a.subject', 'id');
    await xb.focus(`#${link}`);
    await xb.evaluate(() => { window.__stay = 1; });
    const n = await xb.locator('#inbox-table tbody tr').count();
    await api(xa, 'POST', '/api/send', { template: 'free-text', to: ['XB'], subject: `Redraw ${lang} ${Date.now()}`, body: '.', urgency: 'routine', tlp: 'GREEN' });
    await until(async () => (await xb.locator('#inbox-table tbody tr').count()) > n, 'the new message in the open inbox', 30000);
    assert(await xb.evaluate(() => window.__stay === 1), 'the page was reloaded');
    assert(await focused(xb) === link, `focus on ${await focused(xb)}, not ${link}`);
    await xb.context().close();
  });
  await xa.context().close();
}

for (const lang of ['en', 'ar']) {
  await duty(lang);
  await checksPage(lang);
  await access(lang);
}
await browser.close();
process.exit(failures() ? 1 : 0);
