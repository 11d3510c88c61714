// Erasure removes the person, not the "do not email" decision: the suppression entry is keyed by a
// hash of the address, so an erased customer who had bounced or unsubscribed and is imported again
// stays suppressed.
import { startStack, type Stack } from '../support/stack';
import type { SequenceDefinition } from '../../domain/sequence/types';
import type { sequenceWorkflow } from '../../workflows/sequence/workflow';
import { emailHash } from '../../activities/send/policy';
import { signLink } from '../../domain/signed-links';
import { enroll, postForm } from './support';

const hello: SequenceDefinition = {
  id: 'hello', version: 1,
  trigger: { event: 'hello' },
  entry: { mode: 'reenterAfter', period: { minutes: 0 } },
  steps: [
    { id: 'news', type: 'send', template: 'onboarding-tips-1', category: 'marketing', at: 'now' },
    { id: 'receipt', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' },
  ],
};

describe('erasure keeps the suppression', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sequences: [hello] });
    stack.sink.reject = ({ to }) => (to[0] === 'bounce@example.com' ? { code: 550, message: '5.1.1 unknown user' } : undefined);
  });
  afterAll(async () => stack?.stop());

  async function run(id: string, email: string, eventId: string) {
    const [wf] = await enroll(stack, id, { email, locale: 'en', consent: { marketing: true } }, 'hello', eventId);
    const r = await stack.temporal.workflow.getHandle<typeof sequenceWorkflow>(wf).result();
    return r.stepsDone.map((s) => [s.stepId, s.outcome]);
  }

  it('an unsubscribed, erased, re-imported address stays unsubscribed from marketing', async () => {
    await stack.call('PUT', '/v1/customers/uma', { email: 'uma@example.com', locale: 'en', consent: { marketing: true } });
    const token = signLink(stack.config.secret, { p: 'unsubscribe', c: 'uma', e: Math.floor(Date.now() / 1000) + 3600, cat: 'marketing' });
    expect((await postForm(stack.baseUrl, `/u/${token}`, 'List-Unsubscribe=One-Click')).status).toBe(200);

    expect((await stack.call('DELETE', '/v1/customers/uma')).status).toBe(200);
    expect(await stack.db.customer.findUnique({ where: { id: 'uma' } })).toBeNull();
    const sup = await stack.db.suppression.findUniqueOrThrow({ where: { emailHash: emailHash('uma@example.com') } });
    expect(sup).toMatchObject({ reason: 'unsubscribed', categories: 'marketing' });
    expect(JSON.stringify(await stack.db.suppression.findMany())).not.toMatch(/uma/);

    // Imported again by the CRM, with consent claimed: the customer's own unsubscribe still wins.
    expect(await run('uma', 'UMA@example.com', 'hello-uma-2')).toEqual([['news', 'suppressed'], ['receipt', 'sent']]);
    const news = await stack.db.sendLedger.findFirstOrThrow({ where: { customerId: 'uma', stepId: 'news' } });
    expect(news.error).toBe('suppressed: unsubscribed from marketing (one-click)');
  });

  it('a bounced, erased, re-imported address stays suppressed for every category', async () => {
    expect(await run('bo', 'bounce@example.com', 'hello-bo-1')).toEqual([['news', 'failed'], ['receipt', 'suppressed']]);
    const del = await stack.call('DELETE', '/v1/customers/bo');
    expect(del.status).toBe(200);
    // The ledger is anonymized, the suppression kept (a hash, not the address).
    const ledger = await stack.db.sendLedger.findMany({ where: { stepId: 'news', status: 'failed' } });
    expect(ledger).toHaveLength(1);
    expect(ledger[0].customerId).toMatch(/^erased-/);
    expect(await stack.db.suppression.findUnique({ where: { emailHash: emailHash('bounce@example.com') } })).toMatchObject({ reason: 'bounced' });

    // A new profile (another id, same address): nothing reaches SMTP.
    const before = stack.sink.messages.length;
    expect(await run('bo-new', 'bounce@example.com', 'hello-bo-2')).toEqual([['news', 'suppressed'], ['receipt', 'suppressed']]);
    expect(stack.sink.messages.length).toBe(before);
  });
});
