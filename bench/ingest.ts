// Ingestion load benchmark: events per second and p50/p99 latency for single and batch POST
// /v1/events over loopback (autocannon), against the real stack (Temporal dev server, SQLite,
// Prisma). Two mixes: plain events that start nothing, and signups that each start a workflow.
// Bounded: each phase runs for BENCH_SECONDS (default 8) seconds.
//   npx tsx bench/ingest.ts
import autocannon from 'autocannon';
import { startStack } from '../test/support/stack';
import type { SequenceDefinition } from '../domain/sequence/types';
import { fmt, machine, withDevServer } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const BATCH = 50;

const hold: SequenceDefinition = {
  id: 'bench-hold', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
  steps: [{ id: 'hold', type: 'wait', duration: { days: 30 } }],
};

async function main() {
  console.log(`ingestion benchmark on ${machine()}; ${SECONDS}s per phase, ${CONNECTIONS} connections`);
  await withDevServer(async () => {
    const stack = await startStack({ sequences: [hold], worker: false, env: { LOG_LEVEL: 'warn' } });
    try {
      const customers = 2000;
      for (let i = 0; i < customers; i++) await stack.db.customer.create({ data: { id: `b${i}`, email: `b${i}@example.com` } });
      const auth = { authorization: `Bearer ${stack.keys.ingest}`, 'content-type': 'application/json' };
      let seq = 0;
      const phase = async (title: string, body: () => string, perRequest: number) => {
        const r = await autocannon({
          url: `${stack.baseUrl}/v1/events`, method: 'POST', connections: CONNECTIONS, duration: SECONDS, headers: auth,
          requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
        });
        const ok = r['2xx'];
        const eps = (ok * perRequest) / (r.duration);
        console.log(`${title.padEnd(34)} ${fmt(eps).padStart(8)} events/s  requests ${fmt(r.requests.average)}/s  p50 ${fmt(r.latency.p50, 1)} ms  p99 ${fmt(r.latency.p99, 1)} ms  non-2xx ${r.non2xx} errors ${r.errors}`);
        return eps;
      };
      const now = () => new Date().toISOString();
      const single = await phase('single, no trigger', () => JSON.stringify({ id: `e${++seq}`, customerId: `b${seq % customers}`, name: 'page_view', occurredAt: now(), properties: { path: '/pricing' } }), 1);
      const batch = await phase(`batch of ${BATCH}, no trigger`, () => JSON.stringify({ events: Array.from({ length: BATCH }, () => ({ id: `e${++seq}`, customerId: `b${seq % customers}`, name: 'page_view', occurredAt: now() })) }), BATCH);
      const starts = await phase('single, starts a workflow', () => JSON.stringify({ id: `s${++seq}`, customerId: `b${seq % customers}`, name: 'signup', occurredAt: now() }), 1);
      console.log(`batch/single ratio ${fmt(batch / single, 2)}; workflow-starting events at ${fmt((starts / single) * 100, 0)}% of plain events`);
      for (const e of await stack.db.enrollment.findMany()) await stack.temporal.workflow.getHandle(e.workflowId).terminate('bench over').catch(() => undefined);
    } finally {
      await stack.stop();
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
