// Which running enrollments hear an event (issue 14, defect 3): only those whose definition uses the
// event's name (exit, goal, waitForEvent). A customer's unrelated events never reach the workflow,
// so they cannot grow its history.
import { startStack, type Stack } from '../support/stack';
import type { SequenceDefinition } from '../../domain/sequence/types';

const refundable: SequenceDefinition = {
  id: 'refundable', version: 1, trigger: { event: 'purchase' }, entry: { mode: 'oncePerKey', key: 'orderId' }, exit: { events: ['refund'] },
  goal: { event: 'review_written' },
  steps: [{ id: 'hold', type: 'wait', duration: { days: 30 } }],
};

describe('events reach only the enrollments that listen to them', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sequences: [refundable] });
    await stack.call('PUT', '/v1/customers/busy-1', { email: 'busy-1@example.com' });
  });
  afterAll(async () => {
    for (const e of await stack.db.enrollment.findMany()) await stack.temporal.workflow.getHandle(e.workflowId).terminate('test over').catch(() => undefined);
    await stack?.stop();
  });

  it('does not signal a waiting enrollment with the customer\'s unrelated events, and does signal its exit event', async () => {
    const start = await stack.call('POST', '/v1/events', { id: 'busy-buy', customerId: 'busy-1', name: 'purchase', occurredAt: new Date().toISOString(), properties: { orderId: 'A1' } });
    expect(start.body.started).toHaveLength(1);
    const handle = stack.temporal.workflow.getHandle(start.body.started[0]);
    const length = async () => (await handle.fetchHistory()).events!.length;
    // Let the run settle into its 30-day wait.
    let before = await length();
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await length();
      if (now === before && i > 5) break;
      before = now;
    }
    for (let b = 0; b < 4; b++) {
      const events = Array.from({ length: 50 }, (_, i) => ({ id: `view-${b}-${i}`, customerId: 'busy-1', name: 'page_view', occurredAt: new Date().toISOString(), properties: { path: `/p/${i}` } }));
      const r = await stack.call('POST', '/v1/events', { events });
      expect(r.body.accepted).toBe(50);
    }
    expect(await length()).toBe(before);
    // The goal and the exit events are heard.
    await stack.call('POST', '/v1/events', { id: 'busy-review', customerId: 'busy-1', name: 'review_written', occurredAt: new Date().toISOString(), properties: {} });
    await stack.call('POST', '/v1/events', { id: 'busy-refund', customerId: 'busy-1', name: 'refund', occurredAt: new Date().toISOString(), properties: { orderId: 'A1' } });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'exited', exitReason: 'event:refund' });
    expect(result.goalReachedAt).toBeDefined();
  }, 90_000);
});
