// Unsubscribing through the List-Unsubscribe link: RFC 8058 one-click POST stops a running sequence
// at once (its later marketing steps never send), the GET page shows per-category preferences in the
// customer's language, and tampered or expired links change nothing.
import { startStack, type Stack } from '../support/stack';
import type { SequenceDefinition } from '../../domain/sequence/types';
import type { sequenceWorkflow } from '../../workflows/sequence/workflow';
import { signLink } from '../../domain/signed-links';
import { emailHash } from '../../activities/send/policy';
import { enroll, eventually, headerBlock, postForm, sleep, unsubscribePath } from './support';

const newsletter: SequenceDefinition = {
  id: 'newsletter', version: 1,
  trigger: { event: 'signup' },
  entry: { mode: 'oncePerCustomer' },
  exit: { events: ['unsubscribed'] },
  steps: [
    { id: 'welcome', type: 'send', template: 'onboarding-welcome', category: 'marketing', at: 'now' },
    { id: 'pause', type: 'wait', duration: { minutes: 30 } },
    { id: 'tips', type: 'send', template: 'onboarding-tips-1', category: 'marketing', at: 'now' },
    { id: 'more-tips', type: 'send', template: 'onboarding-tips-2', category: 'marketing', at: 'now' },
  ],
};

const LOCALES: Array<[string, string, RegExp]> = [
  ['en', 'ltr', /Email preferences/],
  ['de', 'ltr', /E-Mail-Einstellungen/],
  ['es', 'ltr', /Preferencias de correo electrónico/],
  ['pt-BR', 'ltr', /Preferências de e-mail/],
  ['ja', 'ltr', /メール配信設定/],
  ['zh-CN', 'ltr', /邮件偏好设置/],
  ['vi', 'ltr', /Tùy chọn email/],
  ['lv', 'ltr', /E-pasta iestatījumi/],
  ['ar', 'rtl', /تفضيلات البريد الإلكتروني/],
];

describe('unsubscribe', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sequences: [newsletter] });
  });
  afterAll(async () => stack?.stop());

  const token = (customerId: string, cat = 'marketing', expiresInSec = 3600) =>
    signLink(stack.config.secret, { p: 'unsubscribe', c: customerId, e: Math.floor(Date.now() / 1000) + expiresInSec, cat });
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(stack.baseUrl + path, { headers });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };

  it('one-click POST from the email ends the running sequence at once: later marketing steps never send', async () => {
    const [wf] = await enroll(stack, 'ann', { email: 'ann@example.com', locale: 'en', consent: { marketing: true } }, 'signup');
    const [welcome] = await stack.sink.waitFor(1, 60_000);
    expect(headerBlock(welcome.raw)).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    const path = unsubscribePath(welcome);
    // The workflow now waits 30 minutes before its next marketing email.
    await eventually(async () => (await stack.db.sendLedger.count({ where: { customerId: 'ann', status: 'sent' } })) === 1, 'the welcome in the ledger');

    // Exactly what a mailbox provider sends (RFC 8058): no cookies, no auth, this body.
    const r = await postForm(stack.baseUrl, path, 'List-Unsubscribe=One-Click');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);

    const result = await stack.temporal.workflow.getHandle<typeof sequenceWorkflow>(wf).result();
    expect(result.status).toBe('exited');
    expect(result.exitReason).toBe('event:unsubscribed');
    expect(result.stepsDone.filter((s) => s.type === 'send')).toHaveLength(1);
    await sleep(500);
    expect(stack.sink.messages).toHaveLength(1);

    const ann = await stack.db.customer.findUniqueOrThrow({ where: { id: 'ann' } });
    expect(ann.consentMarketing).toBe(false);
    expect(ann.consentUpdatedAt).not.toBeNull();
    const sup = await stack.db.suppression.findUniqueOrThrow({ where: { emailHash: emailHash('ann@example.com') } });
    expect(sup).toMatchObject({ reason: 'unsubscribed', categories: 'marketing' });
    const audit = await stack.db.auditLog.findMany({ where: { action: 'customer.unsubscribed' } });
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toMatch(/ann/);

    // A mailbox provider may POST again: still 200, nothing more happens.
    expect((await postForm(stack.baseUrl, path, 'List-Unsubscribe=One-Click')).status).toBe(200);
    expect(await stack.db.suppression.count()).toBe(1);
  });

  it('a one-click POST sent as multipart/form-data (RFC 8058 allows it) works too', async () => {
    await stack.call('PUT', '/v1/customers/mia', { email: 'mia@example.com', locale: 'de', consent: { marketing: true } });
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const res = await fetch(`${stack.baseUrl}/u/${token('mia', 'survey')}`, { method: 'POST', body: form });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('Sie wurden abgemeldet');
    // From a survey email, one click ends surveys as well as marketing.
    const sup = await stack.db.suppression.findUniqueOrThrow({ where: { emailHash: emailHash('mia@example.com') } });
    expect(sup.categories).toBe('marketing,survey');
  });

  it.each(LOCALES)('GET shows the preferences page in the customer\'s language (%s)', async (locale, dir, title) => {
    const id = `page-${locale}`;
    await stack.call('PUT', `/v1/customers/${id}`, { email: `${id}@example.com`, locale, consent: { marketing: true } });
    const r = await get(`/u/${token(id)}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    expect(r.text).toContain(`<html lang="${locale}" dir="${dir}">`);
    expect(r.text).toMatch(title);
    expect(r.text).toMatch(/<input type="checkbox" name="subscribe" value="marketing" checked>/);
    expect(r.text).toMatch(/<input type="checkbox" name="subscribe" value="survey" checked>/);
    expect(r.text).toMatch(/<input type="checkbox" checked disabled>/); // service emails: always on
    expect(r.text).toContain('p•••@example.com');
    // Looking changes nothing (link scanners prefetch GETs).
    expect((await stack.db.customer.findUniqueOrThrow({ where: { id } })).consentMarketing).toBe(true);
  });

  it('a customer locale falls back along its chain (de-AT -> de, pt-PT -> pt-BR, unknown -> en)', async () => {
    for (const [locale, expected] of [['de-AT', 'de'], ['pt-PT', 'pt-BR'], ['fi', 'en']]) {
      const id = `fallback-${locale}`;
      await stack.call('PUT', `/v1/customers/${id}`, { email: `${id}@example.com`, locale });
      const r = await get(`/u/${token(id)}`);
      expect(r.text).toContain(`<html lang="${expected}"`);
    }
  });

  it('the preferences form turns categories off and on again', async () => {
    await stack.call('PUT', '/v1/customers/pat', { email: 'pat@example.com', locale: 'es', consent: { marketing: true } });
    const url = `/u/${token('pat')}`;
    // Keep surveys, drop marketing.
    let r = await postForm(stack.baseUrl, url, 'form=preferences&subscribe=survey');
    expect(r.status).toBe(200);
    expect(r.text).toContain('Sus preferencias se han guardado.');
    expect(r.text).toMatch(/value="marketing">/);
    expect(r.text).toMatch(/value="survey" checked>/);
    expect((await stack.db.customer.findUniqueOrThrow({ where: { id: 'pat' } })).consentMarketing).toBe(false);
    expect(await stack.db.suppression.findUnique({ where: { emailHash: emailHash('pat@example.com') } })).toMatchObject({ categories: 'marketing' });

    // "Unsubscribe from all": every optional category off.
    r = await postForm(stack.baseUrl, url, 'form=preferences&all=off');
    expect(r.status).toBe(200);
    expect(await stack.db.suppression.findUnique({ where: { emailHash: emailHash('pat@example.com') } })).toMatchObject({ categories: 'marketing,survey' });

    // Everything back on: the suppression goes, and ticking marketing is an opt-in.
    r = await postForm(stack.baseUrl, url, 'form=preferences&subscribe=marketing&subscribe=survey&subscribe=transactional');
    expect(r.status).toBe(200);
    expect(await stack.db.suppression.findUnique({ where: { emailHash: emailHash('pat@example.com') } })).toBeNull();
    expect((await stack.db.customer.findUniqueOrThrow({ where: { id: 'pat' } })).consentMarketing).toBe(true);
  });

  it('bad form input: a 400 page naming the field, nothing changed', async () => {
    await stack.call('PUT', '/v1/customers/bob', { email: 'bob@example.com', locale: 'en', consent: { marketing: true } });
    const url = `/u/${token('bob')}`;
    let r = await postForm(stack.baseUrl, url, 'form=preferences&subscribe=sms');
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(r.text).toContain('<code>subscribe</code>');
    expect(r.text).toContain('unknown category &#34;sms&#34;');

    r = await postForm(stack.baseUrl, url, 'form=preferences&newsletter=on');
    expect(r.status).toBe(400);
    expect(r.text).toContain('<code>newsletter</code>');

    r = await postForm(stack.baseUrl, url, 'List-Unsubscribe=Yes');
    expect(r.status).toBe(400);
    expect(r.text).toContain('<code>List-Unsubscribe</code>');

    const json = await fetch(stack.baseUrl + url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"subscribe":[]}' });
    expect(json.status).toBe(400);
    expect(await json.text()).toContain('<code>content-type</code>');

    const xml = await fetch(stack.baseUrl + url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' });
    expect(xml.status).toBe(415);

    expect((await stack.db.customer.findUniqueOrThrow({ where: { id: 'bob' } })).consentMarketing).toBe(true);
    expect(await stack.db.suppression.findUnique({ where: { emailHash: emailHash('bob@example.com') } })).toBeNull();
  });

  it('a tampered or expired link gets a clear page in the visitor\'s language and changes nothing', async () => {
    await stack.call('PUT', '/v1/customers/eve', { email: 'eve@example.com', locale: 'en', consent: { marketing: true } });
    const good = token('eve');
    const [body, mac] = good.split('.');
    // Claim to be someone else with the old signature.
    const forged = `${Buffer.from(JSON.stringify({ p: 'unsubscribe', c: 'bob', e: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url')}.${mac}`;
    const flipped = `${body}.${mac.slice(0, -2)}${mac.endsWith('A') ? 'B' : 'A'}A`;
    for (const bad of [forged, flipped, 'not-a-token', `${body}.`]) {
      const page = await get(`/u/${bad}`, { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' });
      expect(page.status).toBe(400);
      expect(page.text).toContain('<html lang="de" dir="ltr">');
      expect(page.text).toContain('Dieser Link ist ungültig.');
      const post = await postForm(stack.baseUrl, `/u/${bad}`, 'List-Unsubscribe=One-Click', { 'accept-language': 'ar' });
      expect(post.status).toBe(400);
      expect(post.text).toContain('dir="rtl"');
    }
    const expired = token('eve', 'marketing', -60);
    const page = await get(`/u/${expired}`, { 'accept-language': 'ja' });
    expect(page.status).toBe(410);
    expect(page.text).toContain('このリンクは有効期限が切れています。');
    expect((await postForm(stack.baseUrl, `/u/${expired}`, 'List-Unsubscribe=One-Click')).status).toBe(410);
    // A survey-link token cannot be replayed as an unsubscribe token.
    const survey = signLink(stack.config.secret, { p: 'survey', c: 'eve', e: Math.floor(Date.now() / 1000) + 3600 });
    expect((await postForm(stack.baseUrl, `/u/${survey}`, 'List-Unsubscribe=One-Click')).status).toBe(400);

    expect((await stack.db.customer.findUniqueOrThrow({ where: { id: 'eve' } })).consentMarketing).toBe(true);
    expect((await stack.db.customer.findUniqueOrThrow({ where: { id: 'bob' } })).consentMarketing).toBe(true);
    expect(await stack.db.suppression.count({ where: { emailHash: { in: [emailHash('eve@example.com'), emailHash('bob@example.com')] } } })).toBe(0);
  });

  it('a link of an erased customer says there is nothing left to unsubscribe', async () => {
    const r = await get(`/u/${token('nobody')}`, { 'accept-language': 'vi' });
    expect(r.status).toBe(404);
    expect(r.text).toContain('Chúng tôi không còn lưu dữ liệu nào về bạn');
  });
});
