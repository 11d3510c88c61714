// Erasure over HTTP: personal data removed or anonymized, workflows terminated and deleted, an
// audit record without personal data kept.
import { WorkflowNotFoundError } from '@temporalio/client';
import { startStack, type Stack } from '../support/stack';
import type { SequenceDefinition } from '../../domain/sequence/types';

const seq: SequenceDefinition = {
  id: 'welcome-then-wait', version: 1,
  trigger: { event: 'signup' },
  entry: { mode: 'oncePerCustomer' },
  steps: [
    { id: 'welcome', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' },
    { id: 'hold', type: 'wait', duration: { days: 20 } },
  ],
};

describe('erasure', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sequences: [seq] });
  });
  afterAll(async () => stack?.stop());

  it('removes the profile and events, anonymizes the ledger, deletes the workflows and audits it', async () => {
    await stack.call('PUT', '/v1/customers/erase-me@example.com', { email: 'erase-me@example.com', givenName: 'Eve', locale: 'en' });
    const post = await stack.call('POST', '/v1/events', { id: 'sig-1', customerId: 'erase-me@example.com', name: 'signup', occurredAt: new Date().toISOString(), properties: { referrer: 'friend' } });
    const wf = post.body.started[0] as string;
    await stack.sink.waitFor(1, 60_000);
    // Wait until the welcome step is recorded as sent before erasing.
    for (let i = 0; i < 100 && (await stack.db.sendLedger.count({ where: { status: 'sent' } })) === 0; i++) await new Promise((r) => setTimeout(r, 100));

    const del = await stack.call('DELETE', '/v1/customers/erase-me@example.com');
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ erased: true, workflows: 1 });

    expect(await stack.db.customer.findUnique({ where: { id: 'erase-me@example.com' } })).toBeNull();
    expect(await stack.db.event.count({ where: { customerId: 'erase-me@example.com' } })).toBe(0);
    expect(await stack.db.enrollment.count({ where: { customerId: 'erase-me@example.com' } })).toBe(0);
    const ledger = await stack.db.sendLedger.findMany();
    expect(ledger).toHaveLength(1);
    expect(ledger[0].customerId).toMatch(/^erased-/);
    expect(JSON.stringify(ledger)).not.toContain('erase-me');
    const audit = await stack.db.auditLog.findMany({ where: { action: 'customer.erased' } });
    expect(audit).toHaveLength(1);
    expect(audit[0].subject).toBe(ledger[0].customerId);
    expect(JSON.stringify(audit)).not.toMatch(/erase-me|Eve/);

    // The workflow (whose history held the customer id) is gone from Temporal.
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      try {
        await stack.temporal.workflow.getHandle(wf).describe();
        await new Promise((r) => setTimeout(r, 200));
      } catch (err) {
        gone = err instanceof WorkflowNotFoundError;
      }
    }
    expect(gone).toBe(true);
    expect((await stack.call('DELETE', '/v1/customers/erase-me@example.com')).status).toBe(404);
  });
});
