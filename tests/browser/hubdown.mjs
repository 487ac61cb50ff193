// hubdown.mjs - the hub unreachable (issue 10 item 8), in English and
// Arabic, against the nodes run.sh started; run.sh stops the hub before
// PHASE=down and starts it again before PHASE=up.
//
//  down: every page says the hub cannot be reached and since when, in the
//        reader's language; a message sent meanwhile waits in the outbox,
//        and the banner counts it, urgent mail said apart;
//  up:   once the hub answers, the banner goes and the outbox drains (the
//        message sent while it was down reaches its recipient);
//  notice: the hub restarted with urgent mail due in 8 s, XB leaves XA's
//        urgent message unacknowledged: XB's overdue notice says which
//        message, from whom, due when, links to it, and acknowledges the
//        original (issue 10 item 1), which XA's page then shows;
//  roots: the operator admitted a second root key for FR that FR has not
//        endorsed: the directory shows FR once, both keys with their
//        status, and the warning in the reader's language (item 12); and
//        one for XA that XA does not hold: XA's trust page says the alarm
//        in the reader's language from its code and facts (item 14);
//        a device certified by FR's new key is unconfirmed: compose lists
//        it flagged and left out, counts it, and includes it only when
//        the sender ticks "include unconfirmed devices", with a warning.
//
// Prints ok/FAIL lines; run.sh counts them.

import { readFileSync, writeFileSync } from 'node:fs';
import { URL, step, assert, plain, signIn, failures, browser, api, until } from './lib.mjs';

const words = (lang) => JSON.parse(readFileSync(new globalThis.URL(`../../share/web/i18n/${lang}.json`, import.meta.url), 'utf8'));
const PHASE = process.env.PHASE;
const KEPT = process.env.HUBDOWN_STATE;	// what phase down sent, for phase up

async function down(lang, sent) {
  const w = words(lang);
  let xa;
  await step(`[${lang} hub] every page says the hub cannot be reached, since when`, async () => {
    xa = await signIn(URL.XA, `alice-${lang}`, lang);
    await xa.waitForSelector('#hub-unreachable', { timeout: 60000 });
    const text = plain(await xa.textContent('#hub-unreachable'));
    const [before] = w['hub.unreachable'].split('{time}');
    assert(text.startsWith(before), `the banner says ${JSON.stringify(text)}`);
    for (const page of ['directory', 'trust', 'sent']) {
      await xa.evaluate((p) => { location.hash = `#/${p}`; }, page);
      await xa.waitForSelector(`.page-${page}`);
      assert(await xa.isVisible('#hub-unreachable'), `no banner on ${page}`);
    }
  });
  await step(`[${lang} hub] an urgent message sent meanwhile waits, and the banner says so`, async () => {
    const r = await api(xa, 'POST', '/api/send', { template: 'free-text', to: ['XB'], subject: `Hub down ${lang} ${Date.now().toString(36)}`,
      body: 'Sent while the hub was down.', urgency: 'urgent', tlp: 'GREEN', lang: 'en' });
    assert(r.queued, `the send was not queued: ${JSON.stringify(r)}`);
    sent.push(r.id);
    await xa.waitForSelector('#hub-urgent', { timeout: 30000 });
    assert(plain(await xa.textContent('#hub-urgent')).trim() === w['hub.urgent'], 'the urgent mail is not said in the reader\'s language');
    // (the count in the reader's words: Arabic says two without a digit)
    const ev = await api(xa, 'GET', '/api/events');
    assert(ev.outbox.count >= sent.length && ev.outbox.urgent >= 1, `the outbox: ${JSON.stringify(ev.outbox)}`);
    const said = plain(await xa.textContent('#hub-outbox')).trim();
    assert(said.length > 0 && (lang === 'en' || !/message/.test(said)), `the outbox is said ${JSON.stringify(said)}`);
  });
  if (xa) await xa.context().close();
}

async function up(lang, sent) {
  let xa, xb;
  await step(`[${lang} hub] once the hub answers, the banner goes and what waited is sent`, async () => {
    xa = await signIn(URL.XA, `alice-${lang}`, lang);
    await until(async () => (await api(xa, 'GET', '/api/events')).hub.reachable, 'the hub reachable again', 60000);
    await xa.waitForSelector('#hub-status', { state: 'hidden', timeout: 30000 });
    await until(async () => (await api(xa, 'GET', '/api/events')).outbox.count === 0, 'the outbox drained', 60000);
    xb = await signIn(URL.XB, `bob-${lang}`, lang);
    const inbox = await until(async () => {
      const l = await api(xb, 'GET', '/api/inbox');
      return sent.every((id) => l.find((m) => m.id === id)) ? l : null;
    }, 'the messages sent while the hub was down, at XB', 60000);
    assert(inbox.length > 0, 'XB has nothing');
  });
  if (xa) await xa.context().close();
  if (xb) await xb.context().close();
}

async function notice(lang) {
  const w = words(lang);
  const tag = `${lang}-notice-${Date.now().toString(36)}`;
  let xa, xb;
  await step(`[${lang} notice] XB's overdue notice says which message awaits XB's acknowledgement, and links to it`, async () => {
    xa = await signIn(URL.XA, `alice-${lang}`, lang);
    xb = await signIn(URL.XB, `bob-${lang}`, lang);
    const sent = await api(xa, 'POST', '/api/send', { template: 'free-text', to: ['XB'], subject: `Urgent ${tag}`,
      body: 'Answer within seconds.', urgency: 'urgent', tlp: 'GREEN', lang: 'en' });
    const n = await until(async () => (await api(xb, 'GET', '/api/inbox')).find((m) => m.notice && m.notice.for === sent.id),
      'the overdue notice at XB', 90000);
    await xb.evaluate(() => { location.hash = '#/inbox'; });
    await xb.waitForSelector(`#open-${n.id.slice(0, 16)}`);
    assert(plain(await xb.textContent(`#open-${n.id.slice(0, 16)}`)).includes(`Urgent ${tag}`), 'the inbox row does not name the message');
    await xb.click(`#open-${n.id.slice(0, 16)}`);
    await xb.waitForSelector('#notice-text');
    const text = plain(await xb.textContent('#notice-text'));
    const [before] = w['notice.overdue'].split('{');
    assert(text.startsWith(before) && text.includes(`Urgent ${tag}`), `the notice says ${JSON.stringify(text)}`);
    assert(await xb.getAttribute('#notice-original', 'href') === `#/message/${sent.id}`, 'no link to the message');
    assert(plain(await xb.textContent('#ack-button')) === w['notice.ack_original'], 'the button does not offer the original');
    await xb.fill('#ack-note', `Seen ${tag}`);
    await xb.click('#ack-button');
    await xb.waitForSelector('#acked-note');
    assert(plain(await xb.textContent('#acked-note')) === w['notice.acked'], 'not said acknowledged');
    const m = await until(async () => {
      const x = await api(xa, 'GET', `/api/messages/${sent.id}`);
      const s = x.states.find((y) => y.state === 'XB');
      return s && s.acknowledged ? x : null;
    }, 'XB acknowledged at XA', 60000);
    const r = m.recipients.find((x) => x.acknowledged);
    assert(r && r.note === `Seen ${tag}`, `XA's recipients: ${JSON.stringify(m.recipients)}`);
  });
  if (xa) await xa.context().close();
  if (xb) await xb.context().close();
}

async function roots(lang) {
  const w = words(lang);
  let xa;
  await step(`[${lang} roots] FR with a second root key: shown once, both keys, the warning in ${lang}`, async () => {
    xa = await signIn(URL.XA, `alice-${lang}`, lang);
    await until(async () => (await api(xa, 'GET', '/api/directory')).states.find((s) => s.state === 'FR' && s.warning),
      'the warning at XA', 60000);
    await xa.evaluate(() => { location.hash = '#/directory'; });
    await xa.waitForSelector('#root-warning-FR');
    assert((await xa.$$('section.state[data-state="FR"]')).length === 1, 'FR is not shown exactly once');
    const text = plain(await xa.textContent('#root-warning-FR'));
    const [before] = w['directory.second_root'].split('{state}');
    assert(text.startsWith(before), `the warning says ${JSON.stringify(text)}`);
    assert((await xa.$$('section.state[data-state="FR"] .root')).length === 2, 'not both root keys');
    assert(plain(await xa.textContent('section.state[data-state="FR"] .root-unendorsed strong')) ===
      w['directory.root_status.unendorsed'], 'the new key is not said unendorsed');
    assert(await xa.$('#root-warning-XB') === null, 'a warning for a State with one key');
  });
  await step(`[${lang} roots] XA's alarm for a root key it does not hold, said in ${lang} from its code and facts`, async () => {
    // (duty.mjs wrote two foreign-key-record rows of its own, without
    // facts, into XA's store: the one the admit raised names XA and its index)
    const a = await until(async () => (await api(xa, 'GET', '/api/trust')).alarms.find((x) => x.code === 'foreign-key-record' &&
      x.params.state === 'XA' && Number.isInteger(x.params.index)), 'the foreign-key-record alarm at XA, with its facts', 60000);
    await xa.evaluate(() => { location.hash = '#/trust'; });
    const sel = `li.alarm-item[data-code="foreign-key-record"][data-time="${a.time}"] .detail`;
    await xa.waitForSelector(sel);
    const text = plain(await xa.textContent(sel));
    const [before] = w['alarm.detail.foreign-key-record'].split('{');
    // (the index in the reader's digits: only English's is checked as such)
    assert(text.startsWith(before) && (lang !== 'en' || text.includes(String(a.params.index))),
      `the detail says ${JSON.stringify(text)}`);
    assert(await xa.getAttribute(sel, 'lang') === null, 'the detail is still the node\'s English sentence');
  });
  await step(`[${lang} roots] compose to FR: the unconfirmed device listed, left out and counted; included with a warning when asked`, async () => {
    const r = await until(async () => { const x = await api(xa, 'GET', '/api/recipients?to=FR'); return x.unconfirmed > 0 ? x : null; },
      'an unconfirmed FR device at XA', 60000);
    const dev = r.states[0].devices.find((d) => d.unconfirmed);
    assert(dev && dev.included === false && r.unconfirmed_left_out === r.unconfirmed, `the API lists it ${JSON.stringify(dev)}`);
    await xa.evaluate(() => { location.hash = '#/compose'; });
    await xa.waitForSelector('#compose-form');
    await xa.check('#to-FR');
    const li = `#compose-preview li[data-device="${dev.device}"]`;
    await xa.waitForSelector(`${li}.left-out`);
    assert(plain(await xa.textContent(li)).includes(dev.fingerprint), 'the left-out device is not named by its fingerprint');
    assert(await xa.isVisible('#compose-unconfirmed-box'), 'no count and no choice to include it');
    const count = plain(await xa.textContent('#unconfirmed-count'));
    assert(count !== '' && !count.includes('['), `the count says ${JSON.stringify(count)}`);
    assert(!(await xa.isVisible('#unconfirmed-warning')), 'a warning before anything was included');
    await xa.check('#compose-unconfirmed');
    await xa.waitForSelector(`${li}.unconfirmed:not(.left-out)`);
    assert(plain(await xa.textContent('#unconfirmed-warning')) === w['compose.unconfirmed_warning'], 'the warning is not in the reader\'s words');
    await xa.fill('#field-subject', `Unconfirmed ${lang} ${Date.now().toString(36)}`);
    await xa.fill('#field-body', 'To every FR device, as asked.');
    await xa.click('#compose-send');
    await xa.waitForSelector('.page-message', { timeout: 30000 });
    const id = xa.url().split('#/message/')[1];
    const m = await api(xa, 'GET', `/api/messages/${id}`);
    assert(m.recipients.some((x) => x.device === dev.device), 'the unconfirmed device is not among the recipients');
  });
  if (xa) await xa.context().close();
}

if (PHASE === 'roots') {
  for (const lang of ['en', 'ar']) await roots(lang);
} else if (PHASE === 'notice') {
  for (const lang of ['en', 'ar']) await notice(lang);
} else if (PHASE === 'down') {
  const sent = [];
  for (const lang of ['en', 'ar']) await down(lang, sent);
  writeFileSync(KEPT, JSON.stringify(sent));
} else {
  const sent = JSON.parse(readFileSync(KEPT, 'utf8'));
  await up('ar', sent);
}
await browser.close();
process.exit(failures() ? 1 : 0);
