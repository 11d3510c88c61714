// End-to-end throughput: N customers (BENCH_CUSTOMERS, default 2,000, up to 10,000) enrolled through
// the HTTP API into a three-send sequence with short waits, against the real Temporal dev server,
// SQLite and the real SMTP sink: enrollments per second and emails per second. In the same run, a
// bare Temporal workflow calling one no-op activity at the same concurrency gives the platform's
// limit on this machine; our email rate is printed as a fraction of its activity rate (goal >= 0.7).
//   npx tsx bench/e2e.ts
import path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { startStack } from '../test/support/stack';
import type { SequenceDefinition } from '../domain/sequence/types';
import { fmt, machine, withDevServer } from './support';

const N = Math.min(Number(process.env.BENCH_CUSTOMERS ?? 2000), 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);

const threeSends: SequenceDefinition = {
  id: 'bench-three', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
  steps: [
    { id: 'one', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' },
    { id: 'pause-1', type: 'wait', duration: { seconds: 1 } },
    { id: 'two', type: 'send', template: 'onboarding-tips-1', category: 'transactional' },
    { id: 'pause-2', type: 'wait', duration: { seconds: 1 } },
    { id: 'three', type: 'send', template: 'onboarding-tips-2', category: 'transactional' },
  ],
};

async function pool<T>(items: T[], limit: number, fn: (t: T) => Promise<unknown>) {
  let i = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}

async function main() {
  console.log(`end-to-end benchmark on ${machine()}: ${fmt(N)} customers, concurrency ${CONCURRENCY}`);
  await withDevServer(async (env) => {
    // Always-open calendar and no spreading: the figure is the engine's speed, not the calendar's waiting.
    const stack = await startStack({
      sequences: [threeSends],
      env: { SEND_WINDOWS: '00:00-24:00', WORKING_DAYS: '1,2,3,4,5,6,7', DEFAULT_TIME_ZONE: 'UTC', SPREAD_SENDS: 'false', LOG_LEVEL: 'warn' },
    });
    try {
      const ids = Array.from({ length: N }, (_, i) => `e2e-${i}`);
      await pool(ids, 20, (id) => stack.call('PUT', `/v1/customers/${id}`, { email: `${id}@example.com`, givenName: 'Ada', locale: ['en', 'de', 'ja', 'pt-BR'][Number(id.slice(4)) % 4] }));
      // Render caches warm up on the first emails of each locale; count from the first event on.
      const t0 = Date.now();
      await pool(ids, CONCURRENCY, async (id) => {
        const r = await stack.call('POST', '/v1/events', { id: `${id}-signup`, customerId: id, name: 'signup', occurredAt: new Date().toISOString() });
        if (r.status !== 202) throw new Error(`event for ${id}: ${r.status} ${JSON.stringify(r.body)}`);
      });
      const ingested = (Date.now() - t0) / 1000;
      await stack.sink.waitFor(3 * N, 30 * 60_000);
      const elapsed = (Date.now() - t0) / 1000;
      const emailsPerSec = (3 * N) / elapsed;
      console.log(`outreach: ${fmt(N)} enrollments ingested in ${fmt(ingested, 1)} s (${fmt(N / ingested, 1)}/s); all ${fmt(3 * N)} emails delivered in ${fmt(elapsed, 1)} s`);
      console.log(`  enrollments completed ${fmt(N / elapsed, 1)}/s, emails ${fmt(emailsPerSec, 1)}/s (waits of 2 s per enrollment included)`);
      const sent = await stack.db.sendLedger.count({ where: { status: 'sent' } });
      const distinct = new Set(stack.sink.messages.map((m) => m.parsed.messageId)).size;
      console.log(`  ledger sent ${fmt(sent)}, distinct Message-IDs at the sink ${fmt(distinct)} (duplicates: ${fmt(stack.sink.messages.length - distinct)})`);

      // The bare yardstick: the same number of workflows, one no-op activity each, same concurrency.
      const connection = await NativeConnection.connect({ address: env.address });
      const bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'bare', 'workflows.ts'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never });
      const worker = await Worker.create({ connection, taskQueue: 'bench-bare', workflowBundle: bundle, activities: { noop: async () => undefined } });
      const bareSeconds = await worker.runUntil(async () => {
        const b0 = Date.now();
        await pool(ids, CONCURRENCY, (id) => env.client.workflow.execute('bareWorkflow', { workflowId: `bare-${id}`, taskQueue: 'bench-bare' }));
        return (Date.now() - b0) / 1000;
      });
      await connection.close();
      const bareRate = N / bareSeconds;
      console.log(`bare Temporal: ${fmt(N)} workflows with one no-op activity in ${fmt(bareSeconds, 1)} s: ${fmt(bareRate, 1)} activities/s`);
      console.log(`ratio: outreach emails/s ÷ bare activities/s = ${fmt(emailsPerSec / bareRate, 2)} (goal >= 0.7)`);
    } finally {
      await stack.stop();
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
