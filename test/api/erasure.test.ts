// Erasure over HTTP: personal data removed or anonymized, workflows terminated and deleted, an
// audit record without personal data kept.
import { WorkflowNotFoundError } from '@temporalio/client';
import { startStack, type Stack } from '../support/stack';
import type { SequenceDefinition } from '../../domain/sequence/types';
import { signLink } from '../../domain/signed-links';
import { helpRequestPrefix } from '../../client/api/routes/help';
import { identityKey } from '../../client/api/identity';
import { eventually } from '../delivery/support';

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

describe('erasure reaches every execution that holds the customer', () => {
  const withSurvey: SequenceDefinition = {
    id: 'rate-us', version: 1,
    trigger: { event: 'purchase' },
    entry: { mode: 'oncePerCustomer' },
    steps: [
      { id: 'thanks', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' },
      { id: 'rate', type: 'survey', kind: 'csat', template: 'csat-survey', window: { days: 3 } },
    ],
  };
  const long: SequenceDefinition = {
    id: 'long-one', version: 1,
    trigger: { event: 'never' },
    entry: { mode: 'oncePerCustomer' },
    steps: [
      { id: 'one', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' },
      { id: 'two', type: 'send', template: 'onboarding-tips-1', category: 'transactional', at: 'now' },
      { id: 'hold', type: 'wait', duration: { days: 20 } },
    ],
  };
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sequences: [withSurvey, long], env: { SEND_WINDOWS: '00:00-24:00', WORKING_DAYS: '1,2,3,4,5,6,7', SPREAD_SENDS: 'false' } });
  });
  afterAll(async () => stack?.stop());

  const until = (what: string, fn: () => Promise<boolean>) => eventually(fn, what, 60_000, 200);
  const runsOf = async (query: string) => {
    const runs: Array<{ workflowId: string; runId: string }> = [];
    for await (const r of stack.temporal.workflow.list({ query })) runs.push({ workflowId: r.workflowId, runId: r.runId });
    return runs;
  };
  const exists = async (workflowId: string, runId: string) => {
    try {
      await stack.temporal.workflow.getHandle(workflowId, runId).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };

  it('deletes the survey child, earlier runs of a continued enrollment and help requests too', async () => {
    const id = 'gone@example.com';
    await stack.call('PUT', `/v1/customers/${id}`, { email: id, givenName: 'Gwen', locale: 'en' });
    // 1. An enrollment whose survey child is waiting for an answer.
    const post = await stack.call('POST', '/v1/events', { id: 'buy-1', customerId: id, name: 'purchase', occurredAt: new Date().toISOString() });
    const parent = post.body.started[0] as string;
    const child = `${parent}-survey-rate-0`;
    await until('the survey email', async () => (await stack.db.sendLedger.count({ where: { workflowId: child, status: 'sent' } })) === 1);
    // 2. An enrollment that continued as new: its first run is a separate execution.
    const longId = `long-${Date.now()}`;
    await stack.db.enrollment.create({ data: { workflowId: longId, customerId: id, sequenceId: 'long-one', sequenceVersion: 1, entryKey: 'once' } });
    await stack.temporal.workflow.start('sequenceWorkflow', { workflowId: longId, taskQueue: stack.taskQueue, args: [{ definition: long, customerId: id, entryKey: 'once', historyLimit: 10 }] });
    await until('a second run', async () => (await runsOf(`WorkflowId = "${longId}"`)).length >= 2);
    await until('the long enrollment to sleep', async () => (await stack.temporal.workflow.getHandle(longId).query<{ currentStep?: string }>('state')).currentStep === 'hold');
    // 3. A help request from a check-in link.
    const token = signLink(stack.config.secret, { p: 'help', c: id, e: Math.floor(Date.now() / 1000) + 3600, w: parent });
    expect((await fetch(`${stack.baseUrl}/h/${token}`, { method: 'POST' })).status).toBe(200); // the help page's one-tap form
    const helpQuery = `WorkflowId STARTS_WITH "${helpRequestPrefix(await identityKey(stack.db, stack.config), id)}"`;
    await until('the help request in visibility', async () => (await runsOf(helpQuery)).length === 1);

    const before = [...(await runsOf(`WorkflowId = "${parent}" OR WorkflowId = "${child}" OR WorkflowId = "${longId}"`)), ...(await runsOf(helpQuery))];
    expect(new Set(before.map((r) => r.workflowId)).size).toBe(4);
    expect(before.length).toBeGreaterThanOrEqual(5); // the long enrollment has two runs or more

    const del = await stack.call('DELETE', `/v1/customers/${id}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ erased: true, workflows: 4 });
    for (const r of before) await until(`${r.workflowId} run ${r.runId} to be deleted`, async () => !(await exists(r.workflowId, r.runId)));
  });
});
