// Periodic check-ins on Temporal's time-skipping server, with the API on the same server:
// auto-started on a profile save with consent (CHECKIN_AUTO_START), a year of check-ins every 28
// days in the customer's business hours with one small history per cycle (continueAsNew), a check-in
// skipped after recent contact, stopped by a churn event, paused and resumed, and the one-click
// "I need help" link raising an alert.
//
// Time only moves through env.sleep here: awaiting a result would let the test server skip freely.
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { checkinWorkflowId } from '../../client/api/checkins';
import { identityKey } from '../../client/api/identity';
import { signLink } from '../../domain/signed-links';
import { checkinStateQuery } from '../../workflows/checkin/messages';
import { pauseSignal, resumeSignal } from '../../workflows/sequence/messages';
import { eventually, header, linkIn, startFeedbackStack, startWebhookReceiver, type FeedbackStack } from '../surveys/support';
import { runChain } from '../support/run-chain';

let s: FeedbackStack;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  hook = await startWebhookReceiver();
  s = await startFeedbackStack({ env: { CHECKIN_AUTO_START: 'true', ALERT_WEBHOOK_URL: hook.url } });
});
afterAll(async () => {
  await s?.stopAll();
  await hook?.close();
});

async function customer(opts: { locale?: string; timeZone?: string; country?: string; consent?: boolean } = {}): Promise<{ id: string; workflowId: string }> {
  const id = `c-${randomUUID().slice(0, 8)}`;
  const put = await s.call('PUT', `/v1/customers/${id}`, {
    email: `${id}@example.com`, givenName: 'Lan', familyName: 'Nguyen', locale: opts.locale ?? 'en',
    timeZone: opts.timeZone ?? 'Asia/Tokyo', country: opts.country ?? 'JP', consent: { marketing: opts.consent ?? true },
  });
  expect(put.status).toBe(200);
  return { id, workflowId: checkinWorkflowId(await identityKey(s.db, s.config), id) };
}

const mailTo = (id: string) => s.sink.messages.filter((m) => m.envelope.to[0] === `${id}@example.com`);
const state = (workflowId: string) => s.env.client.workflow.getHandle(workflowId).query(checkinStateQuery);
const sent = (workflowId: string) => s.db.sendLedger.findMany({ where: { workflowId, status: 'sent' }, orderBy: { iteration: 'asc' } });
const enrollment = (customerId: string) => s.db.enrollment.findFirst({ where: { customerId, sequenceId: 'checkin' } });

it('starts on the first profile save with consent, and only then', async () => {
  await s.withWorker(async () => {
    const { id, workflowId } = await customer();
    expect(workflowId).not.toContain(id);
    await eventually(async () => (await s.env.client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING', 'the check-in workflow');
    expect(await enrollment(id)).toMatchObject({ workflowId, sequenceId: 'checkin', entryKey: 'checkin', status: 'running' });
    // A second save changes nothing; a customer without consent gets no check-ins.
    await s.call('PUT', `/v1/customers/${id}`, { email: `${id}@example.com`, locale: 'en', consent: { marketing: true } });
    expect(await s.db.enrollment.count({ where: { customerId: id } })).toBe(1);
    const none = await customer({ consent: false });
    expect(await enrollment(none.id)).toBeNull();
    // The API lists it with its live state, like any enrollment.
    const list = await eventually(async () => {
      const r = await s.call('GET', `/v1/customers/${id}/enrollments`);
      return r.body.enrollments?.[0]?.next ? r : undefined;
    }, 'the live state');
    expect(list.body.enrollments[0]).toMatchObject({ sequenceId: 'checkin', status: 'running', next: { stepId: 'checkin', kind: 'wait' } });
    await s.env.client.workflow.getHandle(workflowId).terminate('test over');
  });
});

it('a bulk start comes due spread over hours, one cadence after the start', async () => {
  await s.withWorker(async () => {
    const start = await s.env.currentTimeMs();
    const started = await Promise.all(Array.from({ length: 12 }, () => customer()));
    const dues = await Promise.all(started.map(({ workflowId }) => eventually(async () => {
      const nextAt = (await state(workflowId).catch(() => undefined))?.nextAt;
      return nextAt ? Date.parse(nextAt) : undefined;
    }, 'the first due time')));
    const HOUR = 3_600_000;
    for (const due of dues) {
      expect(due).toBeGreaterThanOrEqual(start + 28 * 86_400_000);
      expect(due).toBeLessThan(start + 28 * 86_400_000 + 6 * HOUR + 10 * 60_000);
    }
    // Started within seconds of each other, due hours apart: 12 timers do not fire in one second.
    expect(Math.max(...dues) - Math.min(...dues)).toBeGreaterThan(HOUR);
    await Promise.all(started.map(({ workflowId }) => s.env.client.workflow.getHandle(workflowId).terminate('test over')));
  });
});

it('sends a year of check-ins in business hours, one small history per cycle', async () => {
  await s.withWorker(async () => {
    const { id, workflowId } = await customer({ locale: 'ja', timeZone: 'Asia/Tokyo', country: 'JP' });
    const start = await s.env.currentTimeMs();
    await eventually(async () => (await s.env.client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING', 'the check-in workflow');
    await s.skipUntil(async () => (await sent(workflowId)).length >= 13, { step: '1 day', max: 400, what: '13 check-ins' });
    const elapsedDays = ((await s.env.currentTimeMs()) - start) / 86_400_000;
    expect(elapsedDays).toBeLessThan(370);

    const rows = await sent(workflowId);
    expect(rows.map((r) => r.iteration)).toEqual([...Array(13).keys()]);
    expect(new Set(rows.map((r) => r.templateId))).toEqual(new Set(['periodic-checkin']));
    for (const r of rows) {
      // Inside the customer's business hours: a Tokyo weekday, 09:00-17:00.
      const local = DateTime.fromJSDate(r.sentAt!, { zone: 'Asia/Tokyo' });
      expect(local.weekday).toBeLessThanOrEqual(5);
      expect(local.hour).toBeGreaterThanOrEqual(9);
      expect(local.hour).toBeLessThan(17);
    }
    // Due every 28 days exactly; each email goes out at the first business-hours slot after it is due,
    // so two sends can be 28 days apart give or take a weekend and public holidays (a due date
    // followed by a holiday, then one that is not: 25 days).
    const gaps = rows.slice(1).map((r, i) => (r.sentAt!.getTime() - rows[i].sentAt!.getTime()) / 86_400_000);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(22), expect(g).toBeLessThanOrEqual(34);
    const mails = mailTo(id);
    expect(mails).toHaveLength(13);
    expect(header(mails[0], 'x-outreach-template')).toBe('periodic-checkin');
    expect(String(mails[0].parsed.html)).toContain('lang="ja"');

    // One run per cycle: follow the chain of runs back from the current one.
    const handle = s.env.client.workflow.getHandle(workflowId);
    const lengths = (await runChain(s.env.client, workflowId)).map((r) => r.events);
    expect(lengths.length).toBeGreaterThanOrEqual(14); // 13 cycles handed over, plus the running one
    expect(Math.max(...lengths)).toBeLessThanOrEqual(60);
    const st = await state(workflowId);
    expect(st).toMatchObject({ status: 'running', cycle: 13, sent: 13, skipped: 0 });
    expect(st.history).toHaveLength(12); // bounded: the last 12 cycles
    const dues = st.history.map((h) => Date.parse(h.startedAt));
    for (let i = 1; i < dues.length; i++) expect(Math.abs(dues[i]! - dues[i - 1]! - 28 * 86_400_000)).toBeLessThan(60_000);
    for (const h of st.history) {
      const delay = Date.parse(h.finishedAt) - Date.parse(h.startedAt);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(6 * 86_400_000); // the longest run of non-working days in Japan's calendar is shorter
    }

    // Ops stop it like any enrollment.
    await handle.signal('cancel', { reason: 'test over' });
    await eventually(async () => (await enrollment(id))?.status === 'cancelled', 'the enrollment marked cancelled');
  });
}, 600_000);

it('skips a check-in when the customer was contacted recently, and sends the next one', async () => {
  await s.withWorker(async () => {
    const { id, workflowId } = await customer();
    const start = await s.env.currentTimeMs();
    // Another sequence emailed the customer 3 days before the first check-in is due (day 28).
    await s.db.sendLedger.create({
      data: {
        key: `seq-other/${id}/0`, workflowId: 'seq-other', stepId: 'tips', iteration: 0, customerId: id, templateId: 'onboarding-tips-1',
        locale: 'en', category: 'marketing', status: 'sent', messageId: '<x@test>', sentAt: new Date(start + 25 * 86_400_000),
      },
    });
    await s.skipUntil(async () => (await state(workflowId)).cycle >= 1, { step: '1 day', max: 40, what: 'the first cycle' });
    let st = await state(workflowId);
    expect(st.history[0].outcome).toBe('skipped:recent-contact');
    expect(mailTo(id)).toHaveLength(0);
    await s.skipUntil(async () => (await state(workflowId)).sent >= 1, { step: '1 day', max: 40, what: 'the second cycle' });
    st = await state(workflowId);
    expect(st).toMatchObject({ cycle: 2, sent: 1, skipped: 1 });
    expect(st.history.map((h) => h.outcome)).toEqual(['skipped:recent-contact', 'sent']);
    expect(mailTo(id)).toHaveLength(1);
    await s.env.client.workflow.getHandle(workflowId).terminate('test over');
  });
});

it('stops on a churn event or an unsubscribe, and holds check-ins while paused', async () => {
  await s.withWorker(async () => {
    const churned = await customer();
    const paused = await customer();
    const ev = await s.call('POST', '/v1/events', { id: randomUUID(), customerId: churned.id, name: 'churned', occurredAt: new Date().toISOString() });
    expect(ev.status).toBe(202);
    expect(ev.body.signalled ?? 1).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await enrollment(churned.id))?.status === 'exited', 'the churned check-ins to end');
    // The row is written by the run's last activity, one workflow task before the run completes.
    await eventually(async () => (await s.env.client.workflow.getHandle(churned.workflowId).describe()).status.name === 'COMPLETED', 'the churned run to complete');
    expect(await state(churned.workflowId)).toMatchObject({ status: 'exited', exitReason: 'event:churned' });

    // The one-click unsubscribe of any email (RFC 8058) ends them too: it sends `unsubscribed`.
    const leaving = await customer();
    await eventually(async () => (await s.env.client.workflow.getHandle(leaving.workflowId).describe()).status.name === 'RUNNING', 'the check-in workflow');
    const token = signLink(s.config.secret, { p: 'unsubscribe', c: leaving.id, e: Math.floor(Date.now() / 1000) + 3600, cat: 'marketing' });
    const unsub = await s.fetch(`/u/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(unsub.status).toBe(200);
    await eventually(async () => (await enrollment(leaving.id))?.status === 'exited', 'the unsubscribed check-ins to end');
    expect(await state(leaving.workflowId)).toMatchObject({ status: 'exited', exitReason: 'event:unsubscribed' });

    const h = s.env.client.workflow.getHandle(paused.workflowId);
    await h.signal(pauseSignal);
    for (let i = 0; i < 8; i++) await s.env.sleep('5 days'); // 40 days pass: the first check-in was due at day 28
    expect(await state(paused.workflowId)).toMatchObject({ status: 'paused', sent: 0 });
    expect(mailTo(paused.id)).toHaveLength(0);
    await h.signal(resumeSignal);
    await s.skipUntil(async () => mailTo(paused.id).length >= 1, { step: '2 hours', max: 60, what: 'the check-in after the resume' });
    expect(await state(paused.workflowId)).toMatchObject({ status: 'running', sent: 1 });
    expect(mailTo(churned.id)).toHaveLength(0);
    await h.terminate('test over');
  });
});

it('raises an alert from the "I need help" link and confirms it in the customer\'s language', async () => {
  await s.withWorker(async () => {
    const { id, workflowId } = await customer({ locale: 'vi', timeZone: 'Asia/Ho_Chi_Minh', country: 'VN' });
    await s.skipUntil(() => mailTo(id).length >= 1, { step: '1 day', max: 40, what: 'the first check-in' });
    const help = linkIn(mailTo(id)[0], /\/h\//);
    const owner = () => s.sink.messages.filter((m) => m.envelope.to[0] === 'owner@acme.example' && m.parsed.text?.includes(id));

    // The link's page asks (GET records nothing); its one-tap form's post raises the alert.
    const ask = await s.fetch(help);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('<html lang="vi" dir="ltr">');
    expect(ask.text).toContain('Yêu cầu hỗ trợ');
    expect(ask.text).toMatch(/<form method="post" action="[^"]+" data-auto-submit>/);
    const page = await s.click(help);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="vi" dir="ltr">');
    expect(page.text).toContain('Chúng tôi sẽ liên hệ với Quý khách');
    const alert = await eventually(async () => owner()[0], 'the help alert');
    expect(alert.parsed.subject).toBe(`Help requested by Lan Nguyen <${id}@example.com> (${id})`);
    expect(header(alert, 'x-outreach-alert')).toBe('checkin.help_requested');
    const call = await eventually(async () => hook.calls.find((c) => c.body.customerId === id), 'the help webhook');
    expect(call.body).toMatchObject({ type: 'checkin.help_requested', sourceWorkflowId: workflowId });

    // A second click the same day: confirmed again, no second alert.
    expect((await s.click(help)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    expect(owner()).toHaveLength(1);
    expect(hook.calls.filter((c) => c.body.customerId === id)).toHaveLength(1);

    // A tampered link raises nothing.
    const token = help.slice(help.indexOf('/h/') + 3);
    const [keyId, body, mac] = token.split('.');
    const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), c: 'someone-else' })).toString('base64url');
    const bad = await s.fetch(`/h/${keyId}.${other}.${mac}`, { headers: { 'accept-language': 'de' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Dieser Link funktioniert nicht');
    await s.env.client.workflow.getHandle(workflowId).terminate('test over');
  });
});
