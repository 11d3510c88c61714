// Values the send path computes per recipient (purchase count, days since the enrollment started)
// reach the templates that show them, and cost no query for templates that do not: the renderer says
// which data fields a template can read.
import { startStack, type Stack } from '../support/stack';
import { sendEmail, type SendRequest } from '../../activities/send/send-email';
import { TemplateRenderer } from '../../activities/render';
import { sendDeps } from './support';

describe('per-recipient template data', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(async () => stack?.stop());

  const request = (id: string, template: string): SendRequest => ({
    workflowId: `wf-${id}`, sequenceId: 'data', stepId: 'one', iteration: 0, customerId: id, template, category: 'transactional',
  });

  it('the loyalty email shows the purchase count from the event log', async () => {
    await stack.db.customer.create({ data: { id: 'loyal-1', email: 'loyal-1@example.com', givenName: 'Lou', locale: 'en' } });
    for (let i = 1; i <= 3; i++) {
      await stack.db.event.create({ data: { idempotencyKey: `buy-${i}`, customerId: 'loyal-1', name: 'purchase', occurredAt: new Date(), properties: '{}' } });
    }
    const r = await sendEmail(sendDeps(stack), request('loyal-1', 'loyalty-milestone'));
    expect(r.status).toBe('sent');
    const msg = (await stack.sink.waitFor(1, 10_000)).find((m) => m.envelope.to.includes('loyal-1@example.com'))!;
    expect(msg.parsed.subject).toBe('Thank you for your 3rd purchase');
    expect(msg.parsed.text).toContain('you have made 3 purchases');
  });

  it('the check-in email counts the days since the enrollment started', async () => {
    await stack.db.customer.create({ data: { id: 'days-1', email: 'days-1@example.com', givenName: 'Dee', locale: 'en' } });
    await stack.db.enrollment.create({ data: { workflowId: 'wf-days-1', customerId: 'days-1', sequenceId: 'data', sequenceVersion: 1, entryKey: 'once', startedAt: new Date(Date.now() - 12 * 86_400_000 - 60_000) } });
    const before = stack.sink.received;
    expect((await sendEmail(sendDeps(stack), request('days-1', 'onboarding-checkin'))).status).toBe('sent');
    const msg = (await stack.sink.waitFor(before + 1, 10_000)).find((m) => m.envelope.to.includes('days-1@example.com'))!;
    expect(msg.parsed.text).toContain('It has been 12 days since you joined');
  });

  it('the renderer knows which templates read which data fields', () => {
    const renderer = new TemplateRenderer();
    expect(renderer.mentions('loyalty-milestone', 'purchaseCount')).toBe(true);
    expect(renderer.mentions('onboarding-checkin', 'days')).toBe(true);
    expect(renderer.mentions('onboarding-welcome', 'purchaseCount')).toBe(false);
    expect(renderer.mentions('onboarding-welcome', 'days')).toBe(false);
    // A word inside another word is not a mention; an unknown template errs towards yes.
    expect(renderer.mentions('loyalty-milestone', 'purchaseCoun')).toBe(false);
    expect(renderer.mentions('no-such-template', 'purchaseCount')).toBe(true);
  });
});
