// The foundation's end-to-end path on real parts: an event posted to the HTTP API starts a workflow
// through signal-with-start on the Temporal dev server; an activity renders an MJML template; the
// email travels over SMTP to a sink, arriving as one multipart message with HTML and text parts.
import { startStack, type Stack } from '../support/stack';
import type { SequenceDefinition } from '../../domain/sequence/types';

const welcome: SequenceDefinition = {
  id: 'welcome-only',
  version: 1,
  trigger: { event: 'signup' },
  entry: { mode: 'oncePerCustomer' },
  steps: [{ id: 'welcome', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' }],
};

describe.each(['sqlite', 'postgresql'] as const)('first email on %s', (provider) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ provider, sequences: [welcome] });
  });
  afterAll(async () => stack?.stop());

  it('delivers one multipart welcome email for a signup event', async () => {
    const put = await stack.call('PUT', '/v1/customers/cust-1', {
      email: 'anna@example.com', givenName: 'Anna', familyName: 'Müller', locale: 'de', timeZone: 'Europe/Berlin', country: 'DE', formality: 'informal',
    });
    expect(put.status).toBe(200);
    const post = await stack.call('POST', '/v1/events', { id: 'evt-1', customerId: 'cust-1', name: 'signup', occurredAt: new Date().toISOString() });
    expect(post.status).toBe(202);
    expect(post.body.started).toHaveLength(1);
    const workflowId = post.body.started[0] as string;
    expect(workflowId).not.toContain('cust-1');
    expect(workflowId).not.toContain('anna');

    const [msg] = await stack.sink.waitFor(1, 60_000);
    expect(msg.envelope.to).toEqual(['anna@example.com']);
    expect(msg.parsed.subject).toBeTruthy();
    expect(msg.parsed.subject).not.toMatch(/\{\{|\}\}/);
    expect(msg.parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(typeof msg.parsed.html).toBe('string');
    expect(msg.parsed.html as string).toContain('lang="de"');
    expect(msg.parsed.html as string).toContain('Anna');
    expect(msg.parsed.text).toContain('Anna');
    // RFC 8058 one-click unsubscribe headers, as a mailbox provider sees them.
    const headers = msg.raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n(?=[ \t])/g, ''); // unfold long header lines (RFC 5322: drop the CRLF, keep the space)
    expect(headers).toMatch(/^List-Unsubscribe: <http:\/\/outreach\.test\/u\/[^>]+>/m);
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);

    const result = await stack.temporal.workflow.getHandle(workflowId).result();
    expect(result.status).toBe('completed');
    const ledger = await stack.db.sendLedger.findMany();
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ status: 'sent', stepId: 'welcome', templateId: 'onboarding-welcome' });
    expect(msg.parsed.messageId).toBe(ledger[0].messageId);
  });

  it('acknowledges a redelivered event as a duplicate and sends nothing more', async () => {
    const again = await stack.call('POST', '/v1/events', { id: 'evt-1', customerId: 'cust-1', name: 'signup', occurredAt: new Date().toISOString() });
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    const other = await stack.call('POST', '/v1/events', { id: 'evt-2', customerId: 'cust-1', name: 'signup', occurredAt: new Date().toISOString() });
    expect(other.status).toBe(202);
    expect(other.body.started).toHaveLength(0); // once per customer, and it already ran
    await new Promise((r) => setTimeout(r, 1500));
    expect(stack.sink.messages).toHaveLength(1);
  });
});

describe('without a worker', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sequences: [welcome], worker: false });
  });
  afterAll(async () => stack?.stop());

  it('sends nothing: the email is the worker\'s doing', async () => {
    await stack.call('PUT', '/v1/customers/c2', { email: 'b@example.com', locale: 'en' });
    const post = await stack.call('POST', '/v1/events', { id: 'e-x', customerId: 'c2', name: 'signup', occurredAt: new Date().toISOString() });
    expect(post.body.started).toHaveLength(1);
    await expect(stack.sink.waitFor(1, 3000)).rejects.toThrow(/expected 1 message/);
    await stack.temporal.workflow.getHandle(post.body.started[0]).terminate('test over');
  });
});
