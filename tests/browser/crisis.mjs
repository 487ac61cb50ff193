// crisis.mjs - the crisis paths of issue 10 that the node's local API
// serves, in English and Arabic, against the three nodes run.sh started
// (after journeys.mjs and duty.mjs):
//
//  - a view drawn late never replaces a newer one (what was typed into the
//    newer one stays, and the acknowledgement signed carries it);
//  - the forward form offers only the States the node's rules allow, and
//    says why none in the reader's language (item 7).
//
// Prints ok/FAIL lines; run.sh counts them.

import { readFileSync } from 'node:fs';
import { URL, step, assert, plain, signIn, failures, browser, api, until } from './lib.mjs';

const words = (lang) => JSON.parse(readFileSync(new globalThis.URL(`../../share/web/i18n/${lang}.json`, import.meta.url), 'utf8'));

const inInbox = (page, pred, what) => until(async () => (await api(page, 'GET', '/api/inbox')).find(pred), what);

// Item 5 of the assignment: "the acknowledged time is shown but the note is
// not".  The cause: a view drawn by navigation (route(false)) was swapped in
// when its data arrived, even if a live redraw started after it had been
// swapped in first and the reader had typed into it; the note went with the
// replaced view, and the acknowledgement was signed without it.  Here the
// order is forced: the navigation's message fetch is held back while the
// event counter moves, so the live redraw lands first.
async function lateView(lang) {
  const tag = `${lang}-late-${Date.now().toString(36)}`;
  let xa, xb;
  await step(`[${lang} crisis] a view drawn late does not replace a newer one: the note typed is kept and signed`, async () => {
    xa = await signIn(URL.XA, `alice-${lang}`, lang);
    xb = await signIn(URL.XB, `bob-${lang}`, lang);
    const sent = await api(xa, 'POST', '/api/send', { template: 'free-text', to: ['XB'], subject: `Late ${tag}`,
      body: 'Order of redraws.', urgency: 'routine', tlp: 'GREEN', lang: 'en' });
    await inInbox(xb, (m) => m.id === sent.id, 'the message at XB');
    let held = 0, bump = true, n = 0;
    await xb.route(`**/api/messages/${sent.id}`, async (r) => {
      if (held++ === 0) await new Promise((res) => setTimeout(res, 4000));	// the navigation's fetch
      await r.continue().catch(() => {});
    });
    await xb.route('**/api/events', async (r) => {	// the store "moves" while the view loads
      const res = await r.fetch();
      const j = await res.json();
      if (bump) j.version = `${j.version}.${n++}`;
      await r.fulfill({ response: res, json: j }).catch(() => {});
    });
    await xb.evaluate((id) => { location.hash = `#/message/${id}`; }, sent.id);
    await xb.waitForSelector('#ack-note');
    bump = false;
    await xb.fill('#ack-note', `Kept ${tag}`);
    await xb.waitForTimeout(5000);	// the held fetch is answered; its view is drawn
    assert(held >= 2, `the live redraw did not happen (${held} fetches)`);
    assert(await xb.inputValue('#ack-note') === `Kept ${tag}`, 'the note typed was thrown away by a view drawn before it');
    await xb.click('#ack-button');
    await xb.waitForSelector('#acked-note');
    const m = await until(async () => {
      const x = await api(xa, 'GET', `/api/messages/${sent.id}`);
      return x.recipients.find((r) => r.acknowledged) ? x : null;
    }, 'the acknowledgement at XA');
    const r = m.recipients.find((x) => x.acknowledged);
    assert(r.note === `Kept ${tag}`, `signed with the note ${JSON.stringify(r.note)}`);
  });
  // Routes first: a poll's /api/events still held by the handler above
  // when its context closes would be answered by a disposed response.
  if (xb) await xb.unrouteAll({ behavior: 'ignoreErrors' });
  if (xa) await xa.context().close();
  if (xb) await xb.context().close();
}

// A live redraw of a page whose heading has the focus (as after every
// navigation) keeps it there: the heading was focusable in the old view
// only, so the focus fell to the body (duty.mjs's "keyboard only: compose
// and send" failed so when a redraw followed the send).
async function headingKept(lang) {
  const tag = `${lang}-focus-${Date.now().toString(36)}`;
  let xb;
  await step(`[${lang} crisis] a live redraw keeps the focus on the heading a navigation gave it`, async () => {
    const xa = await signIn(URL.XA, `alice-${lang}`, lang);
    xb = await signIn(URL.XB, `bob-${lang}`, lang);
    const sent = await api(xa, 'POST', '/api/send', { template: 'free-text', to: ['XB'], subject: `Focus ${tag}`,
      body: 'Redraw me.', urgency: 'routine', tlp: 'GREEN', lang: 'en' });
    await xa.context().close();
    await until(async () => (await api(xb, 'GET', '/api/inbox')).find((m) => m.id === sent.id), 'the message at XB');
    let bump = 0, fetched = 0;
    await xb.route(`**/api/messages/${sent.id}`, async (r) => { fetched++; await r.continue().catch(() => {}); });
    await xb.route('**/api/events', async (r) => {
      const res = await r.fetch();
      const j = await res.json();
      j.version = `${j.version}.${bump}`;
      await r.fulfill({ response: res, json: j }).catch(() => {});
    });
    await xb.evaluate((id) => { location.hash = `#/message/${id}`; }, sent.id);
    await xb.waitForSelector('#ack-form');
    await until(async () => xb.evaluate(() => document.activeElement && document.activeElement.id === 'message-subject'),
      'the focus on the heading after the navigation', 10000);
    const before = fetched;
    bump = 1;	// the store "moved": the next poll redraws the page
    await until(async () => fetched > before, 'the live redraw', 10000);
    await xb.waitForTimeout(500);
    const id = await xb.evaluate(() => (document.activeElement ? document.activeElement.id || document.activeElement.tagName : null));
    assert(id === 'message-subject', `the focus is on ${id} after the redraw`);
  });
  if (xb) {
    await xb.unrouteAll({ behavior: 'ignoreErrors' });
    await xb.context().close();
  }
}

// Item 7: the forward form offers what tlp.c allows, before any click.
async function forwardOffers(lang) {
  const tag = `${lang}-fw-${Date.now().toString(36)}`;
  const w = words(lang);
  let xa, xb;
  await step(`[${lang} crisis] a TLP:RED message offers no forward, and says why in ${lang}`, async () => {
    xa = await signIn(URL.XA, `alice-${lang}`, lang);
    xb = await signIn(URL.XB, `bob-${lang}`, lang);
    const red = await api(xa, 'POST', '/api/send', { template: 'free-text', to: ['XB'], subject: `Red ${tag}`,
      body: 'Eyes only.', urgency: 'routine', tlp: 'RED', lang: 'en' });
    await until(async () => (await api(xb, 'GET', '/api/inbox')).find((m) => m.id === red.id), 'the red message at XB');
    await xb.evaluate((id) => { location.hash = `#/message/${id}`; }, red.id);
    await xb.waitForSelector('#forward-none');
    assert(await xb.$('#forward-form') === null, 'a forward form is offered for TLP:RED');
    const why = plain(await xb.textContent('#forward-why'));
    assert(why === w['forward.why.tlp-red'], `the reason is ${JSON.stringify(why)}`);
  });
  await step(`[${lang} crisis] a TLP:AMBER message to XB and XC: XB may forward it to XC only (not its sender, not XB alone)`, async () => {
    const amber = await api(xa, 'POST', '/api/send', { template: 'free-text', to: ['XB', 'XC'], subject: `Amber ${tag}`,
      body: 'Need to know.', urgency: 'routine', tlp: 'AMBER', lang: 'en' });
    await until(async () => (await api(xb, 'GET', '/api/inbox')).find((m) => m.id === amber.id), 'the amber message at XB');
    const m = await api(xb, 'GET', `/api/messages/${amber.id}`);
    assert(m.forward_allowed && m.forward_allowed.allowed, `forward_allowed ${JSON.stringify(m.forward_allowed)}`);
    await xb.evaluate((id) => { location.hash = `#/message/${id}`; }, amber.id);
    await xb.waitForSelector('#forward-form');
    const offered = await xb.$$eval('#forward-to option', (os) => os.map((o) => o.value));
    assert(JSON.stringify(offered) === JSON.stringify(m.forward_allowed.targets) && offered.includes('XC') &&
      !offered.includes('XA'), `offered ${JSON.stringify(offered)}, the node allows ${JSON.stringify(m.forward_allowed.targets)}`);
  });
  if (xa) await xa.context().close();
  if (xb) await xb.context().close();
}

// Item 16: a templated message's headline is the template's title in the
// reader's language, with the sender's subject beside it.
async function templateHeadline(lang) {
  const tag = `${lang}-tpl-${Date.now().toString(36)}`;
  const title = JSON.parse(readFileSync(new globalThis.URL('../../share/catalogue/templates/incident-notification.json',
    import.meta.url), 'utf8')).title[lang];
  let xa, xb;
  await step(`[${lang} crisis] a templated message's headline is its template's title in ${lang}, beside the sender's subject`, async () => {
    xa = await signIn(URL.XA, `alice-${lang}`, lang);
    xb = await signIn(URL.XB, `bob-${lang}`, lang);
    const sent = await api(xa, 'POST', '/api/send', { template: 'incident-notification', to: ['XB'], subject: `Incident ${tag}`,
      urgency: 'routine', tlp: 'GREEN', lang: 'en', fields: { incident_class: 'malicious-code', sector: ['energy'],
        impact: 'low', first_seen: '2026-11-22T08:30Z' } });
    await until(async () => (await api(xb, 'GET', '/api/inbox')).find((m) => m.id === sent.id), 'the message at XB');
    await xb.evaluate(() => { location.hash = '#/inbox'; });
    const row = `tr[data-id="${sent.id}"]`;
    await xb.waitForSelector(row);
    assert(plain(await xb.textContent(`${row} .template-title`)) === title, `the inbox headline is not ${title}`);
    assert(plain(await xb.textContent(`${row} a.subject`)) === `Incident ${tag}`, 'the sender\'s subject is not beside it');
    await xb.click(`${row} a.subject`);
    await xb.waitForSelector('#template-title');
    assert(plain(await xb.textContent('#template-title')) === title, 'the message page\'s headline');
    assert(plain(await xb.textContent('#message-subject')) === `Incident ${tag}`, 'the message page\'s subject');
    await xa.evaluate(() => { location.hash = '#/sent'; });
    await xa.waitForSelector(`tr[data-id="${sent.id}"] .template-title`);
    assert(plain(await xa.textContent(`tr[data-id="${sent.id}"] .template-title`)) === title, 'the sent list\'s headline');
  });
  if (xa) await xa.context().close();
  if (xb) await xb.context().close();
}

for (const lang of ['en', 'ar']) {
  await lateView(lang);
  await headingKept(lang);
  await forwardOffers(lang);
  await templateHeadline(lang);
}
await browser.close();
process.exit(failures() ? 1 : 0);
