// Child process of test/ops/logging.test.ts: a real stack (worker + API) with the pino Runtime logger
// installed first, as `outreach worker` / `outreach dev` do. It runs a failing send and a few API
// requests; the test reads the JSON lines this process prints on stdout.
import { installRuntimeLogger } from '../../../worker/logging';
import { loadConfig } from '../../../domain/config';
import { startStack } from '../../support/stack';
import type { SequenceDefinition } from '../../../domain/sequence/types';

const broken: SequenceDefinition = {
  id: 'log-broken', version: 1, trigger: { event: 'log_broken' }, entry: { mode: 'oncePerCustomer' },
  steps: [{ id: 'oops', type: 'send', template: 'no-such-template', category: 'transactional', at: 'now' }],
};

async function main() {
  if (!installRuntimeLogger(loadConfig())) throw new Error('a Temporal Runtime existed already');
  const stack = await startStack({ sequences: [broken] });
  try {
    await stack.call('PUT', '/v1/customers/log-1', { email: 'leak.me@example.com', givenName: 'Leak' });
    const post = await stack.call('POST', '/v1/events', { id: 'evt-log-1', customerId: 'log-1', name: 'log_broken', occurredAt: new Date().toISOString() });
    await stack.temporal.workflow.getHandle(post.body.started[0]).result().catch(() => undefined);
    await fetch(`${stack.baseUrl}/dashboard?key=${stack.keys.ops}`, { redirect: 'manual' });
    await fetch(`${stack.baseUrl}/v1/ops/overview`);
    process.stderr.write(`WORKFLOW ${post.body.started[0]}\n`);
  } finally {
    await stack.stop();
  }
}

main().then(
  () => setTimeout(() => process.exit(0), 200), // let pino's asynchronous destination flush
  (err) => {
    process.stderr.write(`log-child failed: ${err.stack}\n`);
    process.exit(1);
  },
);
