// Consent and the suppression list are checked when the email is about to go out, not only when the
// sequence was scheduled: a customer who withdraws consent (or is suppressed) while a workflow waits
// gets nothing. Each category follows its own rule; every decision is in the ledger with its reason
// and counted in the metrics.
import { startStack, type Stack } from '../support/stack';
import type { SequenceDefinition } from '../../domain/sequence/types';
import type { sequenceWorkflow } from '../../workflows/sequence/workflow';
import { emailHash } from '../../activities/send/policy';
import { sendEmail, type SendRequest } from '../../activities/send/send-email';
import { registry } from '../../activities/observability';
import { enroll, eventually, sendDeps } from './support';

const waiter: SequenceDefinition = {
  id: 'waiter', version: 1,
  trigger: { event: 'signup' },
  entry: { mode: 'oncePerCustomer' },
  steps: [
    { id: 'hold', type: 'waitForEvent', event: 'go', timeout: { days: 3 }, onEvent: 'promo', onTimeout: 'promo' },
    { id: 'promo', type: 'send', template: 'onboarding-tips-1', category: 'marketing', at: 'now' },
    { id: 'receipt', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' },
  ],
};

async function emailsTotal(outcome: string, category: string): Promise<number> {
  const metric = await registry.getSingleMetric('outreach_emails_total')!.get();
  return metric.values.filter((v) => v.labels.outcome === outcome && v.labels.category === category).reduce((n, v) => n + v.value, 0);
}

describe.each(['sqlite', 'postgresql'] as const)('send-time consent and suppression on %s', (provider) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ provider, sequences: [waiter] });
  });
  afterAll(async () => stack?.stop());

  async function runWaiter(id: string, whileWaiting: () => Promise<void>) {
    const [wf] = await enroll(stack, id, { email: `${id}@example.com`, locale: 'en', consent: { marketing: true } }, 'signup');
    const handle = stack.temporal.workflow.getHandle<typeof sequenceWorkflow>(wf);
    await eventually(async () => (await handle.query('state') as { currentStep?: string }).currentStep === 'hold', 'the workflow to wait');
    await whileWaiting();
    await stack.call('POST', '/v1/events', { id: `go-${id}`, customerId: id, name: 'go', occurredAt: new Date().toISOString() });
    const result = await handle.result();
    const rows = await stack.db.sendLedger.findMany({ where: { customerId: id } });
    const byStep = Object.fromEntries(rows.map((r) => [r.stepId, r]));
    return { result, byStep, arrived: stack.sink.messages.filter((m) => m.envelope.to.includes(`${id}@example.com`)) };
  }

  it('consent withdrawn while the workflow waits: the marketing email is suppressed, the transactional one still goes', async () => {
    const before = await emailsTotal('suppressed', 'marketing');
    const { result, byStep, arrived } = await runWaiter('withdrawn', async () => {
      const r = await stack.call('PUT', '/v1/customers/withdrawn', { email: 'withdrawn@example.com', locale: 'en', consent: { marketing: false } });
      expect(r.status).toBe(200);
    });
    expect(result.stepsDone.filter((s) => s.type === 'send').map((s) => [s.stepId, s.outcome])).toEqual([['promo', 'suppressed'], ['receipt', 'sent']]);
    expect(byStep.promo).toMatchObject({ status: 'suppressed', error: 'no marketing consent', attempts: 0 });
    expect(byStep.receipt).toMatchObject({ status: 'sent' });
    expect(arrived.map((m) => m.parsed.headers.get('x-outreach-template'))).toEqual(['onboarding-welcome']);
    expect(await emailsTotal('suppressed', 'marketing')).toBe(before + 1);
  });

  it('an unsubscribe recorded while the workflow waits blocks marketing (sequences without an exit rule too)', async () => {
    const { byStep, arrived } = await runWaiter('unsub', async () => {
      await stack.db.suppression.create({ data: { emailHash: emailHash('unsub@example.com'), reason: 'unsubscribed', categories: 'marketing' } });
    });
    expect(byStep.promo).toMatchObject({ status: 'suppressed', error: 'suppressed: unsubscribed from marketing' });
    expect(byStep.receipt.status).toBe('sent');
    expect(arrived).toHaveLength(1);
  });

  it('a complaint recorded while the workflow waits blocks every category, transactional included', async () => {
    const { byStep, arrived } = await runWaiter('complainer', async () => {
      await stack.db.suppression.create({ data: { emailHash: emailHash('COMPLAINER@example.com'), reason: 'complained', categories: 'marketing', detail: 'feedback loop' } });
    });
    expect(byStep.promo.status).toBe('suppressed');
    expect(byStep.receipt).toMatchObject({ status: 'suppressed', error: 'suppressed: complained (feedback loop)' });
    expect(arrived).toHaveLength(0);
  });

  describe('category rules', () => {
    const survey = (id: string): SendRequest => ({
      workflowId: `wf-${id}`, sequenceId: 'rules', stepId: 'survey', iteration: 0, customerId: id, template: 'nps-survey', category: 'survey',
      survey: { surveyId: `s-${id}`, kind: 'nps', closesAt: new Date(Date.now() + 86_400_000).toISOString() },
    });
    const transactional = (id: string): SendRequest => ({
      workflowId: `wf-${id}`, sequenceId: 'rules', stepId: 'welcome', iteration: 0, customerId: id, template: 'onboarding-welcome', category: 'transactional',
    });
    const customer = (id: string, consentMarketing = false) =>
      stack.db.customer.create({ data: { id, email: `${id}@example.com`, locale: 'en', consentMarketing } });

    it('surveys need no marketing consent by default (SURVEY_REQUIRES_CONSENT=false); transactional never does', async () => {
      await customer('rule-1');
      expect((await sendEmail(sendDeps(stack), survey('rule-1'))).status).toBe('sent');
      expect((await sendEmail(sendDeps(stack), transactional('rule-1'))).status).toBe('sent');
    });

    it('SURVEY_REQUIRES_CONSENT=true: surveys go only to customers with consent', async () => {
      const deps = sendDeps(stack);
      const strict = { ...deps, config: { ...deps.config, delivery: { ...deps.config.delivery, surveyRequiresConsent: true } } };
      await customer('rule-2');
      await customer('rule-3', true);
      expect(await sendEmail(strict, survey('rule-2'))).toMatchObject({ status: 'suppressed', reason: expect.stringMatching(/SURVEY_REQUIRES_CONSENT/) });
      expect((await sendEmail(strict, survey('rule-3'))).status).toBe('sent');
    });

    it('marketing with consent is sent, up to the frequency cap; parallel sends never overshoot it', async () => {
      await stack.db.customer.create({ data: { id: 'rule-5', email: 'rule-5@example.com', locale: 'en', consentMarketing: true, timeZone: 'Europe/Berlin' } });
      const promo = (n: number): SendRequest => ({
        workflowId: `wf-promo-${n}`, sequenceId: 'rules', stepId: 'promo', iteration: 0, customerId: 'rule-5', template: 'onboarding-tips-1', category: 'marketing',
      });
      // Five sequences want to email the same customer at the same moment; MARKETING_CAP is 3/7d.
      const results = await Promise.all([1, 2, 3, 4, 5].map((n) => sendEmail(sendDeps(stack), promo(n))));
      expect(results.filter((r) => r.status === 'sent')).toHaveLength(3);
      const deferred = results.filter((r) => r.status === 'deferred');
      expect(deferred).toHaveLength(2);
      for (const d of deferred) expect(Date.parse(d.retryAt!)).toBeGreaterThan(Date.now() + 5 * 86_400_000);
      const rows = await stack.db.sendLedger.findMany({ where: { customerId: 'rule-5', status: 'deferred' } });
      expect(rows).toHaveLength(2);
      for (const r of rows) {
        expect(r.retryAt).not.toBeNull();
        expect(r.error).toMatch(/^frequency cap 3\/7d: 3 marketing emails in the window; deferred to /);
        expect(r.request).not.toBeNull();
      }
      // At the slot, the deferred send goes out (the workflow's next attempt).
      const key = rows[0].workflowId.replace('wf-promo-', '');
      const later = await sendEmail(sendDeps(stack), promo(Number(key)), { now: rows[0].retryAt!.getTime() });
      expect(later.status).toBe('sent');
      expect(await stack.db.sendLedger.findFirstOrThrow({ where: { workflowId: rows[0].workflowId } })).toMatchObject({ status: 'sent', retryAt: null, request: null, attempts: 1 });
    });

    it('an unsubscribe from surveys blocks surveys only', async () => {
      await customer('rule-4', true);
      await stack.db.suppression.create({ data: { emailHash: emailHash('rule-4@example.com'), reason: 'unsubscribed', categories: 'survey' } });
      expect(await sendEmail(sendDeps(stack), survey('rule-4'))).toMatchObject({ status: 'suppressed', reason: 'suppressed: unsubscribed from survey' });
      expect((await sendEmail(sendDeps(stack), transactional('rule-4'))).status).toBe('sent');
      // The decision is final for the step: a retry of the same step reports it without sending.
      expect((await sendEmail(sendDeps(stack), survey('rule-4'))).status).toBe('suppressed');
      expect(await stack.db.sendLedger.count({ where: { customerId: 'rule-4' } })).toBe(2);
    });
  });
});
