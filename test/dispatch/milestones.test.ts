// Loyalty milestones under concurrency (issue 14, defect 2): ten purchases posted at the same
// moment, all with the same occurredAt, reach exactly the 5th and the 10th purchase milestone.
import { startStack, type Stack } from '../support/stack';
import { eventually } from '../surveys/support';
import { shipped } from '../engine/helpers';

describe('loyalty milestones counted in order', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Open all day, every day, with no holidays and no spreading: the thank-you goes out at once.
    stack = await startStack({ sequences: [shipped('loyalty')], env: { SEND_WINDOWS: '00:00-24:00', WORKING_DAYS: '1,2,3,4,5,6,7', SPREAD_SENDS: 'false' } });
  });
  afterAll(async () => stack?.stop());

  it('starts the loyalty sequence exactly for the 5th and the 10th of ten concurrent purchases', async () => {
    await stack.call('PUT', '/v1/customers/loyal-1', { email: 'loyal-1@example.com', consent: { marketing: true } });
    const at = new Date().toISOString();
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      stack.call('POST', '/v1/events', { id: `buy-${i}`, customerId: 'loyal-1', name: 'purchase', occurredAt: at, properties: { orderId: `o${i}` } })));
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(202));
    const rows = await eventually(async () => {
      const r = await stack.db.enrollment.findMany({ where: { sequenceId: 'loyalty' } });
      return r.length >= 2 ? r : undefined;
    }, 'two loyalty enrollments');
    expect(rows.map((r) => r.entryKey.replace(/^key:o\d+:/, '')).sort()).toEqual(['milestone:count:10', 'milestone:count:5']);
    // One thank-you per milestone, no more.
    await eventually(async () => (await stack.db.enrollment.count({ where: { sequenceId: 'loyalty', status: 'completed' } })) === 2, 'both enrollments completed', 30_000);
    expect(stack.sink.messages.filter((m) => /X-Outreach-Template: loyalty-milestone/.test(m.raw))).toHaveLength(2);
    expect(await stack.db.enrollment.count({ where: { sequenceId: 'loyalty' } })).toBe(2);
  }, 90_000);
});
