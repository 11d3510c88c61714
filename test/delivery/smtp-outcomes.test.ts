// What the SMTP server answers decides what happens next: a 4xx (try later) is retried with backoff
// until accepted, and the step still sends exactly one email; a 5xx (permanent) is never retried,
// the address is suppressed with the reason, and later steps to it are suppressed too.
import { startStack, type Stack } from '../support/stack';
import type { SequenceDefinition } from '../../domain/sequence/types';
import type { sequenceWorkflow } from '../../workflows/sequence/workflow';
import { emailHash } from '../../activities/send/policy';
import { enroll, eventually } from './support';

const twoSteps: SequenceDefinition = {
  id: 'two-steps', version: 1,
  trigger: { event: 'signup' },
  entry: { mode: 'oncePerCustomer' },
  steps: [
    { id: 'welcome', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' },
    { id: 'again', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' },
  ],
};
const oneStep: SequenceDefinition = { ...twoSteps, id: 'one-step', trigger: { event: 'hello' }, steps: [twoSteps.steps[0]] };

describe.each(['sqlite', 'postgresql'] as const)('SMTP outcomes on %s', (provider) => {
  let stack: Stack;
  /** SMTP DATA attempts per recipient, whatever the answer. */
  const attempts = new Map<string, number>();
  const rules = new Map<string, (n: number) => { code: number; message: string } | undefined>();
  beforeAll(async () => {
    stack = await startStack({ provider, sequences: [twoSteps, oneStep] });
    stack.sink.reject = ({ to }) => {
      const addr = to[0].toLowerCase();
      const n = (attempts.get(addr) ?? 0) + 1;
      attempts.set(addr, n);
      return rules.get(addr)?.(n);
    };
  });
  afterAll(async () => stack?.stop());

  it('4xx twice, then accepted: exactly one email, the ledger says sent after 3 attempts', async () => {
    rules.set('busy@example.com', (n) => (n <= 2 ? { code: 451, message: '4.3.0 Try again later' } : undefined));
    const [wf] = await enroll(stack, 'busy', { email: 'busy@example.com', locale: 'en' }, 'hello');
    const result = await stack.temporal.workflow.getHandle<typeof sequenceWorkflow>(wf).result();
    expect(result.status).toBe('completed');
    expect(attempts.get('busy@example.com')).toBe(3);
    const arrived = stack.sink.messages.filter((m) => m.envelope.to.includes('busy@example.com'));
    expect(arrived).toHaveLength(1);
    const rows = await stack.db.sendLedger.findMany({ where: { customerId: 'busy' } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'sent', attempts: 3, error: null, request: null });
    expect(arrived[0].parsed.messageId).toBe(rows[0].messageId);
    // Transient failures suppress nothing.
    expect(await stack.db.suppression.count({ where: { emailHash: emailHash('busy@example.com') } })).toBe(0);
  });

  it('5xx: no retry, the address is suppressed with the reason, and a later step to it is suppressed', async () => {
    rules.set('gone@example.com', () => ({ code: 550, message: '5.1.1 No such user here' }));
    const [wf] = await enroll(stack, 'gone', { email: 'Gone@Example.com', locale: 'en' }, 'signup');
    const result = await stack.temporal.workflow.getHandle<typeof sequenceWorkflow>(wf).result();
    expect(result.status).toBe('completed');
    expect(result.stepsDone.filter((s) => s.type === 'send').map((s) => s.outcome)).toEqual(['failed', 'suppressed']);
    expect(attempts.get('gone@example.com')).toBe(1); // never retried, and step 2 never reached SMTP
    expect(stack.sink.messages.filter((m) => m.envelope.to.includes('gone@example.com'))).toHaveLength(0);

    const rows = await stack.db.sendLedger.findMany({ where: { customerId: 'gone' }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => [r.stepId, r.status])).toEqual([['welcome', 'failed'], ['again', 'suppressed']]);
    expect(rows[0].attempts).toBe(1);
    expect(rows[0].error).toMatch(/550.*No such user here/);
    expect(rows[1].error).toMatch(/^suppressed: bounced/);
    expect(rows[1].attempts).toBe(0);

    // Keyed by the hash of the normalized address; the address itself is not stored.
    const sup = await stack.db.suppression.findUnique({ where: { emailHash: emailHash('gone@example.com') } });
    expect(sup).toMatchObject({ reason: 'bounced', categories: '*' });
    expect(sup!.detail).toMatch(/550/);
    expect(JSON.stringify(sup)).not.toMatch(/gone@example/i);

    // Another customer record with the same address is suppressed before any SMTP traffic.
    const [wf2] = await enroll(stack, 'gone-again', { email: 'gone@example.com', locale: 'en' }, 'hello');
    const r2 = await stack.temporal.workflow.getHandle<typeof sequenceWorkflow>(wf2).result();
    expect(r2.stepsDone[0].outcome).toBe('suppressed');
    expect(attempts.get('gone@example.com')).toBe(1);
  });

  it('421 (service closing the channel) is retried, not suppressed', async () => {
    // The first DATA attempt gets 421, then the server accepts.
    rules.set('flaky@example.com', (n) => (n === 1 ? { code: 421, message: '4.4.2 Closing connection' } : undefined));
    const [wf] = await enroll(stack, 'flaky', { email: 'flaky@example.com', locale: 'en' }, 'hello');
    await stack.temporal.workflow.getHandle<typeof sequenceWorkflow>(wf).result();
    await eventually(() => stack.sink.messages.some((m) => m.envelope.to.includes('flaky@example.com')), 'the flaky email');
    const row = await stack.db.sendLedger.findFirstOrThrow({ where: { customerId: 'flaky' } });
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
  });
});
