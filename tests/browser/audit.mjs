// audit.mjs - the items of issue 10 that no other browser test held to,
// and the duty officer's paths redone on branch duty2, in English and
// Arabic, against the three nodes run.sh started:
//
//  - compose: each limited field counts its bytes as UTF-8 does (not its
//    characters) against the limit every node applies (protocol.md
//    section 3: a subject of 300 bytes, a body of 512 KiB), in the
//    reader's words; over the limit the send is refused before anything is
//    signed, with the code the node answers (too-long), and the node
//    refuses the same body itself; the hint names the limit on files;
//  - refusals are said by their code in the reader's language: a wrong
//    password at sign-in, a consultation step the thread does not allow;
//  - item 11: the trust page lists no cosignature by this node's own
//    device, and every cosignature with the log size it signed;
//  - item 18: the favicon is linked and served.
//
// Prints ok/FAIL lines; run.sh counts them.

import { readFileSync } from 'node:fs';
import { URL, PASSWORD, SHOTS, browser, step, assert, plain, signIn, axe, api, until, noMissingKeys, failures } from './lib.mjs';

const words = (lang) => JSON.parse(readFileSync(new globalThis.URL(`../../share/web/i18n/${lang}.json`, import.meta.url), 'utf8'));
// The words of a catalogue sentence before its first {value}.
const lead = (s) => s.split('{')[0];

async function compose(lang) {
  const w = words(lang);
  let xa;
  await step(`[${lang} audit] compose counts the body's bytes (UTF-8, not characters) against 512 KiB, in ${lang}`, async () => {
    xa = await signIn(URL.XA, `alice-${lang}`, lang);
    await xa.goto(`${URL.XA}/#/compose`);
    await xa.waitForSelector('#compose-form');
    const c0 = plain(await xa.textContent('#field-body-count'));
    assert(c0.startsWith(lead(w['compose.size'])), `the empty body's counter says ${JSON.stringify(c0)}`);
    // 1,000 characters of "é" are 2,000 bytes
    await xa.fill('#field-body', 'é'.repeat(1000));
    assert(await xa.getAttribute('#field-body-count', 'data-bytes') === '2000', 'the counter does not count UTF-8 bytes');
    const c1 = plain(await xa.textContent('#field-body-count'));
    // (the digits as the page's own Intl writes them)
    const [n2000, n524288, n300] = await xa.evaluate((l) => [2000, 524288, 300].map((n) => new Intl.NumberFormat(l).format(n)), lang);
    assert(c1.includes(n2000) && c1.includes(n524288), `the counter says ${JSON.stringify(c1)}, not ${n2000} of ${n524288}`);
    assert(!(await xa.getAttribute('#field-body-count', 'class')).includes('over'), 'under the limit, marked over');
    const desc = await xa.getAttribute('#field-body', 'aria-describedby');
    assert(desc.includes('field-body-count'), 'the counter is not tied to the field for a screen reader');
    assert(plain(await xa.textContent('#field-body-files')) !== '', 'no word on the limit of files');
    const cs = plain(await xa.textContent('#field-subject-count'));
    assert(cs.includes(n300), `the subject's counter says ${JSON.stringify(cs)}`);
    await noMissingKeys(xa, `${lang} compose counter`);
  });
  await step(`[${lang} audit] a body over 512 KiB (300,000 characters): counter marked, send refused with code too-long, nothing signed`, async () => {
    const before = (await api(xa, 'GET', '/api/sent')).length;
    await xa.fill('#field-subject', `Too big ${lang}`);
    await xa.check('#to-XB');
    await xa.fill('#field-body', 'é'.repeat(300000));	// 600,000 bytes
    const c = plain(await xa.textContent('#field-body-count'));
    assert(c.startsWith(lead(w['compose.size_over'])), `over the limit the counter says ${JSON.stringify(c.slice(0, 80))}`);
    assert((await xa.getAttribute('#field-body-count', 'class')).includes('over'), 'over the limit, not marked');
    await xa.click('#compose-send');
    await xa.waitForSelector('#compose-status[data-code="too-long"]');
    assert(plain(await xa.textContent('#compose-status')) === w['compose.too_big'], 'the refusal is not in the reader\'s words');
    const err = plain(await xa.textContent('#field-body-error'));
    assert(err.startsWith(lead(w['error.too-long-bytes'])), `next to the field: ${JSON.stringify(err)}`);
    assert(await xa.getAttribute('#field-body', 'aria-invalid') === 'true', 'the field is not marked invalid');
    assert(await xa.evaluate(() => document.activeElement && document.activeElement.id) === 'field-body', 'the focus is not on the field');
    assert(xa.url().endsWith('#/compose'), `the page left compose: ${xa.url()}`);
    assert((await api(xa, 'GET', '/api/sent')).length === before, 'something was sent');
    await axe(xa, `${lang} compose, too big`);
    // (the viewport, with the counter and the refusal in it: a full-page
    // picture of 600,000 bytes of text takes longer than a test should)
    await xa.locator('#field-body-count').scrollIntoViewIfNeeded();
    await xa.screenshot({ path: `${SHOTS}/${lang}-compose-too-big.png`, timeout: 120000 });
  });
  await step(`[${lang} audit] the node refuses the same body itself: 400, code too-long, field body`, async () => {
    const r = await xa.evaluate(async () => {
      const s = await (await fetch('/api/session')).json();
      const res = await fetch('/api/send', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf },
        body: JSON.stringify({ template: 'free-text', to: ['XB'], subject: 'too big', body: 'é'.repeat(300000) }) });
      return [res.status, await res.json()];
    });
    assert(r[0] === 400 && r[1].code === 'too-long' && r[1].field === 'body', `the node answered ${r[0]} ${JSON.stringify(r[1])}`);
  });
  if (xa) await xa.context().close();
}

async function refusals(lang) {
  const w = words(lang);
  await step(`[${lang} audit] a wrong password is said by its code, in ${lang}`, async () => {
    const ctx = await browser.newContext({ locale: lang });
    const p = await ctx.newPage();
    await p.goto(`${URL.XA}/#/inbox`);
    await p.waitForSelector('#login-form');
    if (lang !== 'en') {
      await p.click(`.langs button[data-lang="${lang}"]`);
      await p.waitForSelector(`.langs button.current[data-lang="${lang}"]`);
    }
    await p.fill('#login-user', `nobody-${lang}`);	// no account: the failure counts for no one's lock
    await p.fill('#login-password', `not ${PASSWORD}`);
    await p.click('#login-submit');
    await p.waitForSelector('#login-error[data-code="wrong-password"]');
    assert(plain(await p.textContent('#login-error')) === w['error.wrong-password'], 'not the catalogue\'s words');
    await ctx.close();
  });
  let xa, xb;
  await step(`[${lang} audit] a consultation step the thread refuses is said by its code, in ${lang}`, async () => {
    xa = await signIn(URL.XA, `alice-${lang}`, lang);
    xb = await signIn(URL.XB, `bob-${lang}`, lang);
    const subject = `Consult ${lang} ${Date.now().toString(36)}`;
    const r = await api(xa, 'POST', '/api/send', { template: 'free-text', to: ['XB'], subject, body: 'We request consultations.',
      consultation: true, tlp: 'GREEN' });
    await until(async () => (await api(xb, 'GET', '/api/inbox')).find((m) => m.id === r.id), 'the request at XB', 60000);
    await xb.goto(`${URL.XB}/#/message/${r.id}`);
    await xb.waitForSelector('#consult-propose');
    await xb.fill('#consult-text', '');
    await xb.click('#consult-propose');	// a proposal without its text: 400 text-required
    await xb.waitForSelector('#consult-result[data-code="text-required"]');
    assert(plain(await xb.textContent('#consult-result')) === w['error.text-required'], 'not the catalogue\'s words');
    const st = await xb.evaluate(async (id) => {
      const s = await (await fetch('/api/session')).json();
      const res = await fetch(`/api/messages/${id}/agree`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf }, body: '{}' });
      return [res.status, (await res.json()).code];
    }, r.id);
    assert(st[0] === 409 && st[1] === 'not-an-outcome', `agreeing to a request: ${st}`);
  });
  if (xa) await xa.context().close();
  if (xb) await xb.context().close();
}

async function trust(lang) {
  const w = words(lang);
  let xa;
  await step(`[${lang} audit] item 11: the trust page lists no cosignature by this node's own device, each with the size it signed`, async () => {
    xa = await signIn(URL.XA, `alice-${lang}`, lang);
    const tr = await until(async () => { const x = await api(xa, 'GET', '/api/trust'); return x.cosignatures.length ? x : null; },
      'cosignatures at XA', 60000);
    await xa.goto(`${URL.XA}/#/trust`);
    await xa.waitForSelector('#trust-cosignatures table');
    const rows = await xa.$$eval('#trust-cosignatures tbody tr', (trs) => trs.map((r) => [...r.cells].map((c) => c.textContent)));
    assert(rows.length === tr.cosignatures.length, `${rows.length} rows for ${tr.cosignatures.length} cosignatures`);
    const own = plain(tr.device_fingerprint);
    assert(!rows.some((r) => plain(r[2]) === own), 'this node\'s own device is among the cosignatures');
    assert(rows.every((r) => plain(r[3]) !== w['common.none'] && /[0-9٠-٩]/.test(r[3])), `a row without its log size: ${JSON.stringify(rows)}`);
  });
  await step(`[${lang} audit] item 18: the favicon is linked and served`, async () => {
    const href = await xa.getAttribute('link[rel="icon"]', 'href');
    const r = await xa.evaluate(async (h) => { const x = await fetch(h); return [x.status, x.headers.get('content-type')]; }, href);
    assert(r[0] === 200 && /image\/svg\+xml/.test(r[1]), `the favicon ${href}: ${r}`);
  });
  if (xa) await xa.context().close();
}

for (const lang of ['en', 'ar']) {
  await compose(lang);
  await refusals(lang);
  await trust(lang);
}
await browser.close();
process.exit(failures() ? 1 : 0);
