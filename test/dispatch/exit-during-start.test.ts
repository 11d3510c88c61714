// An exit event that races the start of its enrollment (issue 14, defect 1): the event must reach
// the enrollment whichever of the two is dispatched first, and an event the API accepted must be
// dispatched even when Temporal was unreachable at that moment, without the sender retrying.
import { startStack, type Stack } from '../support/stack';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { eventually } from '../surveys/support';
import type { SequenceDefinition } from '../../domain/sequence/types';

const cart: SequenceDefinition = {
  id: 'cart', version: 1, trigger: { event: 'cart_abandoned' }, entry: { mode: 'oncePerKey', key: 'cartId' }, exit: { events: ['purchase'] },
  steps: [
    { id: 'hold', type: 'wait', duration: { seconds: 4 } },
    { id: 'nudge', type: 'send', template: 'onboarding-tips-1', category: 'transactional', at: 'now' },
  ],
};

async function terminateAll(stack: Stack) {
  for (const e of await stack.db.enrollment.findMany()) await stack.temporal.workflow.getHandle(e.workflowId).terminate('test over').catch(() => undefined);
}

describe('an exit event racing the start of its enrollment', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sequences: [cart] });
  });
  afterAll(async () => {
    await terminateAll(stack);
    await stack?.stop();
  });

  it('ends every enrollment whose purchase was posted together with the cart event: no nudge goes out', async () => {
    const customers = Array.from({ length: 30 }, (_, i) => `racer-${i}`);
    for (const id of customers) expect((await stack.call('PUT', `/v1/customers/${id}`, { email: `${id}@example.com` })).status).toBe(200);
    const t0 = Date.now();
    await Promise.all(customers.map(async (id) => {
      const abandoned = { id: `${id}-cart`, customerId: id, name: 'cart_abandoned', occurredAt: new Date(t0).toISOString(), properties: { cartId: 'k1' } };
      // The purchase happened a second after the cart was abandoned; the sender posts both at once.
      const purchase = { id: `${id}-buy`, customerId: id, name: 'purchase', occurredAt: new Date(t0 + 1000).toISOString(), properties: {} };
      const replies = await Promise.all([stack.call('POST', '/v1/events', abandoned), stack.call('POST', '/v1/events', purchase)]);
      expect(replies.map((r) => r.status)).toEqual([202, 202]);
    }));
    // Every customer got an enrollment, and every one of them ends as exited by the purchase.
    await eventually(async () => (await stack.db.enrollment.count({ where: { sequenceId: 'cart' } })) === customers.length, 'an enrollment per customer');
    const ended = await eventually(async () => {
      const rows = await stack.db.enrollment.findMany({ where: { sequenceId: 'cart' } });
      return rows.every((r) => r.status !== 'running') ? rows : undefined;
    }, 'every enrollment ended', 30_000);
    expect(ended.filter((r) => r.status !== 'exited').map((r) => `${r.customerId}:${r.status}`)).toEqual([]);
    // Past the 4-second wait: a lost exit would have sent its nudge by now.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(stack.sink.messages.map((m) => m.envelope.to[0])).toEqual([]);
  }, 90_000);
});

describe('an event accepted while Temporal is unreachable', () => {
  let stack: Stack;
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await startTcpProxy(process.env.TEMPORAL_TEST_ADDRESS!);
    stack = await startStack({ sequences: [cart], apiTemporalAddress: proxy.address });
    await stack.call('PUT', '/v1/customers/offline-1', { email: 'offline-1@example.com' });
  });
  afterAll(async () => {
    await terminateAll(stack);
    await stack?.stop();
    await proxy?.close();
  });

  it('is stored before the reply and dispatched once Temporal is back, with no half-written enrollment meanwhile', async () => {
    proxy.cut();
    const r = await stack.call('POST', '/v1/events', {
      id: 'offline-cart', customerId: 'offline-1', name: 'cart_abandoned', occurredAt: new Date().toISOString(), properties: { cartId: 'k9' },
    });
    // Accepted: the event is durable even though it could not be dispatched yet.
    expect(r.status).toBe(202);
    expect(await stack.db.event.count({ where: { idempotencyKey: 'offline-cart' } })).toBe(1);
    // No enrollment row that claims to run without a workflow behind it.
    expect(await stack.db.enrollment.count({ where: { customerId: 'offline-1', status: 'running' } })).toBe(0);
    proxy.restore();
    // Nobody posts it again: the engine dispatches it by itself.
    const row = await eventually(async () => {
      const e = await stack.db.event.findUnique({ where: { idempotencyKey: 'offline-cart' } });
      return e?.dispatchedAt ? e : undefined;
    }, 'the event dispatched after Temporal came back', 60_000);
    expect(row.dispatchedAt).not.toBeNull();
    const [mail] = await stack.sink.waitFor(1, 30_000);
    expect(mail.envelope.to).toEqual(['offline-1@example.com']);
  }, 120_000);
});
