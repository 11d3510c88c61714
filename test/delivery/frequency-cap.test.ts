// Marketing frequency caps across sequences, counted in the customer's local days: a send over the
// cap is deferred to the next allowed slot (inside business hours), never dropped. The end-to-end
// case runs on Temporal's time-skipping test server, so a week passes in seconds.
import { DateTime } from 'luxon';
import { startTimeSkipping, type SkippingStack } from '../support/time-skipping';
import type { SequenceDefinition } from '../../domain/sequence/types';
import { sequenceWorkflow } from '../../workflows/sequence/workflow';
import { checkFrequencyCap } from '../../activities/send/frequency-cap';
import { accountCalendar } from '../../activities/calendar';
import { isSendAllowed, resolveCalendar } from '../../domain/calendar';
import { parseFrequencyCap } from '../../domain/config';
import { registry } from '../../activities/observability';

const ZONE = 'America/Los_Angeles';

const fourTips: SequenceDefinition = {
  id: 'four-tips', version: 1,
  trigger: { event: 'signup' },
  entry: { mode: 'oncePerCustomer' },
  steps: [
    { id: 'tip-1', type: 'send', template: 'onboarding-tips-1', category: 'marketing' },
    { id: 'gap-1', type: 'wait', duration: { days: 1 } },
    { id: 'tip-2', type: 'send', template: 'onboarding-tips-2', category: 'marketing' },
    { id: 'gap-2', type: 'wait', duration: { days: 1 } },
    { id: 'tip-3', type: 'send', template: 'onboarding-checkin', category: 'marketing' },
    { id: 'gap-3', type: 'wait', duration: { days: 1 } },
    { id: 'tip-4', type: 'send', template: 'onboarding-tips-1', category: 'marketing' },
    { id: 'receipt', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' },
  ],
};

async function deferredCount(): Promise<number> {
  const metric = await registry.getSingleMetric('outreach_emails_total')!.get();
  return metric.values.filter((v) => v.labels.outcome === 'deferred').reduce((n, v) => n + v.value, 0);
}

describe('frequency caps', () => {
  let ts: SkippingStack;
  beforeAll(async () => {
    ts = await startTimeSkipping({ env: { MARKETING_CAP: '3/7d' } });
  });
  afterAll(async () => ts?.stop());

  it('MARKETING_CAP parses "N/Dd" and "off", and names the variable when malformed', () => {
    expect(parseFrequencyCap(undefined)).toEqual({ count: 3, days: 7 });
    expect(parseFrequencyCap('5/14d')).toEqual({ count: 5, days: 14 });
    expect(parseFrequencyCap('off')).toBeUndefined();
    expect(() => parseFrequencyCap('3 per week')).toThrow(/^MARKETING_CAP must look like 3\/7d/);
    expect(() => parseFrequencyCap('0/7d')).toThrow(/MARKETING_CAP/);
  });

  it('counts sent and possibly-sent marketing emails in the customer\'s local days', async () => {
    const id = 'cap-unit';
    await ts.db.customer.create({ data: { id, email: `${id}@example.com`, locale: 'en', timeZone: ZONE, consentMarketing: true } });
    const row = (key: string, status: string, at: string, extra: Record<string, unknown> = {}) =>
      ts.db.sendLedger.create({ data: {
        key, workflowId: 'wf', stepId: key, iteration: 0, customerId: id, templateId: 't', locale: 'en', category: 'marketing',
        messageId: `<${key}@x>`, status, ...(status === 'sent' ? { sentAt: new Date(at) } : { claimedAt: new Date(at) }), ...extra,
      } });
    // Tuesday 2026-03-10, 11:00 in Los Angeles (PDT since March 8). The 7-day local window starts
    // Wednesday 2026-03-04 00:00 PST.
    const now = Date.parse('2026-03-10T18:00:00Z');
    await row('a', 'sent', '2026-03-04T07:30:00Z'); // 2026-03-03 23:30 local: outside (inside in UTC days)
    await row('b', 'sent', '2026-03-05T08:30:00Z'); // 2026-03-05 00:30 local
    await row('c', 'sent', '2026-03-07T20:00:00Z'); // 2026-03-07
    await row('d', 'ambiguous', '2026-03-09T17:00:00Z'); // may have been sent: counts
    await row('e', 'failed', '2026-03-10T16:00:00Z'); // did not go out
    await row('f', 'deferred', '2026-03-10T16:00:00Z');
    await row('g', 'sent', '2026-03-09T17:00:00Z', { category: 'transactional' });
    const calendar = resolveCalendar({ timeZone: ZONE }, accountCalendar(ts.config));

    const capped = await checkFrequencyCap(ts.db, { customerId: id, key: 'new', cap: { count: 3, days: 7 }, calendar, now });
    expect(capped.allowed).toBe(false);
    expect(capped.counted).toBe(3);
    // The third most recent (March 5) leaves the window on March 12: the next allowed slot is that
    // day, inside business hours.
    const local = DateTime.fromJSDate(capped.retryAt!, { zone: ZONE });
    expect(local.toISODate()).toBe('2026-03-12');
    expect(isSendAllowed(capped.retryAt!, calendar)).toBe(true);

    expect(await checkFrequencyCap(ts.db, { customerId: id, key: 'new', cap: { count: 4, days: 7 }, calendar, now })).toEqual({ allowed: true, counted: 3 });
    // The row being decided never counts against itself.
    expect((await checkFrequencyCap(ts.db, { customerId: id, key: 'd', cap: { count: 3, days: 7 }, calendar, now })).allowed).toBe(true);
  });

  it('defers the fourth marketing email of a week to the next allowed slot: it arrives later, not never', async () => {
    const id = 'cap-e2e';
    await ts.db.customer.create({ data: { id, email: `${id}@example.com`, locale: 'en', timeZone: ZONE, consentMarketing: true } });
    const deferredBefore = await deferredCount();
    const result = await ts.withWorker(async () => {
      const handle = await ts.env.client.workflow.start(sequenceWorkflow, {
        workflowId: `cap-${Date.now()}`,
        taskQueue: ts.taskQueue,
        args: [{ definition: fourTips, customerId: id, entryKey: 'once' }],
      });
      return handle.result();
    });
    expect(result.status).toBe('completed');
    expect(result.stepsDone.filter((s) => s.type === 'send').map((s) => [s.stepId, s.outcome])).toEqual([
      ['tip-1', 'sent'], ['tip-2', 'sent'], ['tip-3', 'sent'], ['tip-4', 'sent'], ['receipt', 'sent'],
    ]);
    expect(ts.sink.messages.filter((m) => m.envelope.to.includes(`${id}@example.com`))).toHaveLength(5);
    expect(await deferredCount()).toBeGreaterThan(deferredBefore);

    const rows = await ts.db.sendLedger.findMany({ where: { customerId: id } });
    const sentAt = Object.fromEntries(rows.map((r) => [r.stepId, DateTime.fromJSDate(r.sentAt!, { zone: ZONE })]));
    const calendar = resolveCalendar({ timeZone: ZONE }, accountCalendar(ts.config));
    for (const r of rows.filter((x) => x.category === 'marketing')) expect(isSendAllowed(r.sentAt!, calendar)).toBe(true);
    // Three on consecutive business days; the fourth exactly when the first leaves the 7-day window.
    const firstDay = sentAt['tip-1'].startOf('day');
    expect(sentAt['tip-3'].startOf('day').diff(firstDay, 'days').days).toBeLessThan(7);
    expect(sentAt['tip-4'].toISODate()).toBe(firstDay.plus({ days: 7 }).toISODate());
    // The workflow waited for the slot (the step spans days), and the transactional receipt after it
    // was never capped.
    const tip4 = result.stepsDone.find((s) => s.stepId === 'tip-4')!;
    expect(Date.parse(tip4.finishedAt) - Date.parse(tip4.startedAt)).toBeGreaterThan(2 * 86_400_000);
    expect(rows.find((r) => r.stepId === 'tip-4')).toMatchObject({ status: 'sent', attempts: 1, retryAt: null, error: null });
  });
});
