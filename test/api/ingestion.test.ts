// The ingestion API over HTTP against the real stack: triggers, entry keys, exactly-once under
// duplicates and races, batches, and loyalty milestones.
import { startStack, type Stack } from '../support/stack';
import type { SequenceDefinition } from '../../domain/sequence/types';
import { workflowIdFor } from '../../client/api/enrollments';
import { identityKey } from '../../client/api/identity';

const now = () => new Date().toISOString();
const longWait = { id: 'hold', type: 'wait' as const, duration: { days: 30 } };

const sequences: SequenceDefinition[] = [
  {
    id: 'pro-welcome', version: 1,
    trigger: { event: 'signup', where: { field: 'event.plan', op: 'eq', value: 'pro' } },
    entry: { mode: 'oncePerCustomer' },
    steps: [longWait],
  },
  {
    id: 'big-order', version: 1,
    trigger: { event: 'purchase', where: { field: 'event.amount', op: 'gte', value: 100 } },
    entry: { mode: 'oncePerKey', key: 'orderId' },
    exit: { events: ['refund'] },
    steps: [longWait],
  },
  {
    id: 'loyal', version: 1,
    trigger: { event: 'purchase', milestone: { count: [3], totalAtLeast: { property: 'amount', amounts: [500] } } },
    entry: { mode: 'oncePerCustomer' },
    steps: [longWait],
  },
];

describe('ingestion API', () => {
  let stack: Stack;
  let key: string;
  beforeAll(async () => {
    stack = await startStack({ sequences });
    key = await identityKey(stack.db, stack.config);
    await stack.call('PUT', '/v1/customers/c1', { email: 'c1@example.com', locale: 'en', timeZone: 'America/New_York', country: 'US' });
  });
  afterAll(async () => {
    // Leave no long-waiting workflows behind on the shared dev server.
    for (const e of await stack.db.enrollment.findMany()) await stack.temporal.workflow.getHandle(e.workflowId).terminate('test over').catch(() => undefined);
    await stack?.stop();
  });

  it('starts only the sequences whose trigger filter matches', async () => {
    const basic = await stack.call('POST', '/v1/events', { id: 's-basic', customerId: 'c1', name: 'signup', occurredAt: now(), properties: { plan: 'basic' } });
    expect(basic.status).toBe(202);
    expect(basic.body.started).toEqual([]);
    const pro = await stack.call('POST', '/v1/events', { id: 's-pro', customerId: 'c1', name: 'signup', occurredAt: now(), properties: { plan: 'pro' } });
    expect(pro.body.started).toEqual([workflowIdFor(key, 'pro-welcome', 'c1', 'once')]);
    const desc = await stack.temporal.workflow.getHandle(pro.body.started[0]).describe();
    expect(desc.status.name).toBe('RUNNING');
  });

  it('uses the entry key: one enrollment per order id, amount filter applied', async () => {
    const small = await stack.call('POST', '/v1/events', { id: 'p-1', customerId: 'c1', name: 'purchase', occurredAt: now(), properties: { orderId: 'A1', amount: 20 } });
    expect(small.body.started).toEqual([]);
    const big = await stack.call('POST', '/v1/events', { id: 'p-2', customerId: 'c1', name: 'purchase', occurredAt: now(), properties: { orderId: 'A2', amount: 150 } });
    expect(big.body.started).toEqual([workflowIdFor(key, 'big-order', 'c1', 'key:A2')]);
    const sameOrder = await stack.call('POST', '/v1/events', { id: 'p-3', customerId: 'c1', name: 'purchase', occurredAt: now(), properties: { orderId: 'A2', amount: 150 } });
    expect(sameOrder.body.started).not.toContain(workflowIdFor(key, 'big-order', 'c1', 'key:A2'));
    const rows = await stack.db.enrollment.findMany({ where: { sequenceId: 'big-order' } });
    expect(rows.map((r) => r.entryKey)).toEqual(['key:A2']);
  });

  it('starts the loyalty sequence at the 3rd purchase (count milestone)', async () => {
    // p-1, p-2, p-3 above were purchases 1-3 for c1: the third one reached the milestone.
    const rows = await stack.db.enrollment.findMany({ where: { sequenceId: 'loyal' } });
    expect(rows.map((r) => r.entryKey)).toEqual(['once:milestone:count:3']);
    const fourth = await stack.call('POST', '/v1/events', { id: 'p-4', customerId: 'c1', name: 'purchase', occurredAt: now(), properties: { orderId: 'A4', amount: 10 } });
    expect(fourth.body.started.filter((w: string) => w.startsWith('seq-loyal-'))).toEqual([]);
  });

  it('starts on the spend tier an event crosses (total milestone)', async () => {
    // 20 + 150 + 150 + 10 = 330 so far; 200 more crosses 500.
    const r = await stack.call('POST', '/v1/events', { id: 'p-5', customerId: 'c1', name: 'purchase', occurredAt: now(), properties: { orderId: 'A5', amount: 200 } });
    expect(r.body.started).toContain(workflowIdFor(key, 'loyal', 'c1', 'once:milestone:total:500'));
  });

  it('acknowledges a redelivered event as a duplicate and changes nothing', async () => {
    const first = await stack.call('POST', '/v1/events', { id: 'dup-1', customerId: 'c1', name: 'purchase', occurredAt: now(), properties: { orderId: 'D1', amount: 120 } });
    expect(first.status).toBe(202);
    expect(first.body.duplicate).toBe(false);
    const events = await stack.db.event.count();
    const second = await stack.call('POST', '/v1/events', { id: 'dup-1', customerId: 'c1', name: 'purchase', occurredAt: now(), properties: { orderId: 'D2', amount: 999 } });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ id: 'dup-1', duplicate: true, started: [] });
    expect(await stack.db.event.count()).toBe(events);
    expect(await stack.db.enrollment.count({ where: { entryKey: 'key:D2' } })).toBe(0);
  });

  it('starts one enrollment when the same event arrives twice at the same moment', async () => {
    const ev = { id: 'race-1', customerId: 'c1', name: 'purchase', occurredAt: now(), properties: { orderId: 'R1', amount: 300 } };
    const results = await Promise.all([1, 2, 3, 4].map(() => stack.call('POST', '/v1/events', ev)));
    expect(results.every((r) => r.status === 200 || r.status === 202)).toBe(true);
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(await stack.db.event.count({ where: { idempotencyKey: 'race-1' } })).toBe(1);
    expect(await stack.db.enrollment.count({ where: { sequenceId: 'big-order', entryKey: 'key:R1' } })).toBe(1);
  });

  it('starts one enrollment when two different events race for a once-per-customer sequence', async () => {
    await stack.call('PUT', '/v1/customers/c-race', { email: 'race@example.com' });
    const mk = (id: string) => ({ id, customerId: 'c-race', name: 'signup', occurredAt: now(), properties: { plan: 'pro' } });
    const [a, b] = await Promise.all([stack.call('POST', '/v1/events', mk('race-a')), stack.call('POST', '/v1/events', mk('race-b'))]);
    expect([...a.body.started, ...b.body.started]).toHaveLength(1);
    expect(await stack.db.enrollment.count({ where: { customerId: 'c-race' } })).toBe(1);
  });

  it('delivers later events to running enrollments (exit rule ends the run)', async () => {
    const start = await stack.call('POST', '/v1/events', { id: 'ex-1', customerId: 'c1', name: 'purchase', occurredAt: now(), properties: { orderId: 'X1', amount: 500 } });
    const wf = workflowIdFor(key, 'big-order', 'c1', 'key:X1');
    expect(start.body.started).toContain(wf);
    await stack.call('POST', '/v1/events', { id: 'ex-2', customerId: 'c1', name: 'refund', occurredAt: now(), properties: { orderId: 'X1' } });
    const result = await stack.temporal.workflow.getHandle(wf).result();
    expect(result.status).toBe('exited');
    expect(result.exitReason).toBe('event:refund');
  });

  it('stores the valid items of a batch and reports the failed ones', async () => {
    const r = await stack.call('POST', '/v1/events', {
      events: [
        { id: 'b-1', customerId: 'c1', name: 'page_view', occurredAt: now() },
        { id: 'b-2', customerId: 'c1', name: 'Bad Name', occurredAt: now() },
        { id: 'b-3', customerId: 'nobody', name: 'page_view', occurredAt: now() },
        { id: 'b-1', customerId: 'c1', name: 'page_view', occurredAt: now() },
      ],
    });
    expect(r.status).toBe(207);
    expect(r.body).toMatchObject({ accepted: 1, duplicates: 1, rejected: 2 });
    expect(r.body.results[1]).toMatchObject({ index: 1, id: 'b-2', status: 'rejected', errors: [{ field: 'events.1.name' }] });
    expect(r.body.results[2].errors[0]).toMatchObject({ field: 'events.2.customerId' });
    expect(await stack.db.event.count({ where: { idempotencyKey: { in: ['b-1', 'b-2', 'b-3'] } } })).toBe(1);
  });

  it('lists a customer\'s enrollments with live state', async () => {
    const r = await stack.call('GET', '/v1/customers/c1/enrollments');
    expect(r.status).toBe(200);
    const pro = r.body.enrollments.find((e: { sequenceId: string }) => e.sequenceId === 'pro-welcome');
    expect(pro).toMatchObject({ status: 'running', currentStep: 'hold', entryKey: 'once' });
    expect(pro.next).toMatchObject({ stepId: 'hold', kind: 'wait' });
    expect(Date.parse(pro.next.at)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect((await stack.call('GET', '/v1/customers/nobody/enrollments')).status).toBe(404);
  });

  it('serves an OpenAPI document describing the routes', async () => {
    const r = await stack.call('GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(['/v1/customers/{id}', '/v1/events', '/v1/customers/{id}/enrollments']));
    expect(r.body.components.schemas.Customer.properties.timeZone).toBeDefined();
  });
});
