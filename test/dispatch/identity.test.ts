// Workflow identity apart from the link secret (issue 14, defect 7): rotating OUTREACH_SECRET after
// a leak must not rename workflows, or every once-per-customer sequence would start and send again.
import type { AddressInfo } from 'node:net';
import { startStack, http, type Stack } from '../support/stack';
import { eventually } from '../surveys/support';
import { buildApi } from '../../client/api/server';
import { loadConfig } from '../../domain/config';
import { SequenceRegistry } from '../../domain/sequence/registry';
import type { SequenceDefinition } from '../../domain/sequence/types';

const welcome: SequenceDefinition = {
  id: 'welcome-once', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
  steps: [{ id: 'hello', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' }],
};
const OLD = 'old-secret-0123456789abcdef0123456789abcdef';
const NEW = 'new-secret-fedcba9876543210fedcba9876543210';

describe('rotating OUTREACH_SECRET', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sequences: [welcome], env: { OUTREACH_SECRET: OLD } });
  });
  afterAll(async () => stack?.stop());

  it('keeps workflow ids: a once-per-customer sequence that ran does not start again after the rotation', async () => {
    await stack.call('PUT', '/v1/customers/rot-1', { email: 'rot-1@example.com' });
    const first = await stack.call('POST', '/v1/events', { id: 'rot-signup-1', customerId: 'rot-1', name: 'signup', occurredAt: new Date().toISOString() });
    expect(first.body.started).toHaveLength(1);
    await stack.sink.waitFor(1);
    await eventually(async () => (await stack.db.enrollment.findFirst({ where: { customerId: 'rot-1' } }))?.status === 'completed', 'the welcome sequence completed');

    // The same deployment after the rotation: the new key signs, the old one still verifies.
    const config = loadConfig({
      DATABASE_URL: stack.config.database.url, SMTP_URL: stack.config.smtp.url, TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS!,
      TEMPORAL_TASK_QUEUE: stack.taskQueue, PUBLIC_BASE_URL: 'http://outreach.test', OUTREACH_SECRET: `${NEW},${OLD}`, DISPATCH_WAIT_MS: '10000',
    });
    const rotated = buildApi({ config, db: stack.db, temporal: stack.temporal, registry: new SequenceRegistry([welcome]), taskQueue: stack.taskQueue });
    await rotated.listen({ port: 0, host: '127.0.0.1' });
    try {
      const base = `http://127.0.0.1:${(rotated.server.address() as AddressInfo).port}`;
      const again = await http(base, 'POST', '/v1/events', { id: 'rot-signup-2', customerId: 'rot-1', name: 'signup', occurredAt: new Date().toISOString() }, { authorization: `Bearer ${stack.keys.all}` });
      expect(again.status).toBe(202);
      expect(again.body.started).toEqual([]);
      expect(await stack.db.enrollment.count({ where: { customerId: 'rot-1' } })).toBe(1);
      await new Promise((r) => setTimeout(r, 2_000));
      expect(stack.sink.messages).toHaveLength(1);
    } finally {
      await rotated.close();
    }
  }, 60_000);
});
