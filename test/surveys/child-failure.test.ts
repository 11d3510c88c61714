// A survey child that ends without an outcome (terminated by an operator, or failed) ends its step:
// the sequence records why and goes on, instead of failing its workflow task over and over.
import { startStack, type Stack } from '../support/stack';
import type { SequenceDefinition } from '../../domain/sequence/types';
import type { sequenceWorkflow } from '../../workflows/sequence/workflow';

const def: SequenceDefinition = {
  id: 'ask-then-thank', version: 1,
  trigger: { event: 'purchase' },
  entry: { mode: 'oncePerCustomer' },
  steps: [
    { id: 'rate', type: 'survey', kind: 'csat', template: 'csat-survey', window: { days: 3 } },
    { id: 'after', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' },
  ],
};

/** The same, with an exit event that can arrive while the survey window is open. */
const exiting: SequenceDefinition = { ...def, id: 'ask-unless-gone', trigger: { event: 'ticket_closed' }, exit: { events: ['unsubscribed'] } };

describe('a survey child that ends without an outcome', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sequences: [def, exiting], env: { SEND_WINDOWS: '00:00-24:00', WORKING_DAYS: '1,2,3,4,5,6,7', SPREAD_SENDS: 'false' } });
  });
  afterAll(async () => stack?.stop());

  /** Waits (up to 30 s) until the survey child has sent its email; how many it sent. */
  async function surveyEmailSent(child: string): Promise<number> {
    const sent = () => stack.db.sendLedger.count({ where: { workflowId: child, status: 'sent' } });
    for (let i = 0; i < 150 && (await sent()) === 0; i++) await new Promise((r) => setTimeout(r, 200));
    return sent();
  }

  it('terminated: the survey step records the failure and the sequence carries on', async () => {
    await stack.call('PUT', '/v1/customers/tess', { email: 'tess@example.com', locale: 'en' });
    const post = await stack.call('POST', '/v1/events', { id: 'buy-tess', customerId: 'tess', name: 'purchase', occurredAt: new Date().toISOString() });
    const parent = post.body.started[0] as string;
    const child = `${parent}-survey-rate-0`;
    await surveyEmailSent(child);
    await stack.temporal.workflow.getHandle(child).terminate('operator stopped this survey');

    const result = await stack.temporal.workflow.getHandle<typeof sequenceWorkflow>(parent).result();
    expect(result.status).toBe('completed');
    expect(result.stepsDone.map((s) => [s.stepId, s.outcome])).toEqual([
      ['rate', expect.stringMatching(/^failed:.*terminated/i)],
      ['after', 'sent'],
    ]);
  });

  it('an exit event during the survey window: the survey is cancelled, both workflows close, nothing more is sent', async () => {
    await stack.call('PUT', '/v1/customers/uma', { email: 'uma@example.com', locale: 'en' });
    const post = await stack.call('POST', '/v1/events', { id: 'ticket-uma', customerId: 'uma', name: 'ticket_closed', occurredAt: new Date().toISOString() });
    const parent = post.body.started[0] as string;
    const child = `${parent}-survey-rate-0`;
    expect(await surveyEmailSent(child)).toBe(1);
    const exit = await stack.call('POST', '/v1/events', { id: 'unsub-uma', customerId: 'uma', name: 'unsubscribed', occurredAt: new Date().toISOString() });
    expect(exit.status).toBe(202);

    // The survey must end when cancelled (a workflow task that fails over and over would keep both open).
    const result = await stack.temporal.workflow.getHandle<typeof sequenceWorkflow>(parent).result();
    expect(result).toMatchObject({ status: 'exited', stepsDone: [] });
    expect((await stack.temporal.workflow.getHandle(child).describe()).status.name).toBe('CANCELLED');
    expect(await stack.db.sendLedger.count({ where: { workflowId: parent, status: 'sent' } })).toBe(0);
  });
});
