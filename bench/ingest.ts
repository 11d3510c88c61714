// Ingestion against its limit, in one run on one Temporal dev server:
//   bare      signal-with-start of a trivial workflow, BENCH_EVENTS calls at BENCH_CONCURRENCY: what
//             a client that only talks to Temporal achieves (the limit);
//   single    POST /v1/events, one `signup` per request (each starts an enrollment), at the same
//             concurrency against the API in its own process (`outreach api`, as deployed): accept
//             rate and latency (the reply comes once the event is stored), then the dispatch behind
//             it, to the last enrollment started: sustained rate, and lag (stored -> dispatched);
//   batch     the same events in batches of 50 (BENCH_BATCH_CONCURRENCY requests at a time);
//   plain     single events that start nothing (page views): the accept path alone.
// Printed: each rate, the ratio of our sustained rate to bare, accept p50/p99, dispatch lag p50/p99,
// and the batch/single accept ratio. No worker runs: starting the workflows is what is measured.
//   npx tsx bench/ingest.ts        (BENCH_EVENTS=2000 BENCH_CONCURRENCY=50 BENCH_BATCH_CONCURRENCY=4)
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createDb, tuneSqlite } from '../activities/db/client';
import { createApiKey } from '../client/api/auth';
import { freshDatabase } from '../test/support/stack';
import { freePort } from '../test/support/postgres';
import { clientConnectionOptions } from '../worker/temporal-connection';
import { cpuSecondsOf, findProcess, fmt, machine, spawnReady, withDevServer } from './support';

const N = Number(process.env.BENCH_EVENTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const BATCH = 50;
const BATCH_CONCURRENCY = Number(process.env.BENCH_BATCH_CONCURRENCY ?? 4);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/** Runs `fn` over `items` with at most `concurrency` in flight; the latency of each call, in ms. */
async function drive<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      const t = performance.now();
      await fn(item);
      latencies.push(performance.now() - t);
    }
  }));
  return { seconds: (performance.now() - t0) / 1000, latencies: latencies.sort((a, b) => a - b) };
}

const lat = (l: number[]) => `p50 ${fmt(percentile(l, 0.5), 1)} ms, p99 ${fmt(percentile(l, 0.99), 1)} ms`;

async function main() {
  console.log(`ingestion benchmark on ${machine()}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`${fmt(N)} events per phase, concurrency ${CONCURRENCY} (batches: ${BATCH} events, ${BATCH_CONCURRENCY} requests at a time)`);
  await withDevServer(async (env) => {
    const database = await freshDatabase('sqlite');
    const db = createDb(database.url);
    await tuneSqlite(db);
    const port = await freePort();
    const key = (await createApiKey(db, 'bench', ['ingest', 'ops'])).key;
    const modes = ['single', 'batch', 'plain'] as const;
    for (const mode of modes) {
      await db.customer.createMany({ data: Array.from({ length: N }, (_, i) => ({ id: `${mode}-${i}`, email: `${mode}-${i}@example.com`, locale: 'en' })) });
    }
    const taskQueue = 'bench-ingest';
    const api = await spawnReady(path.join(__dirname, '..', 'bin', 'outreach.js'), ['api'], {
      ...process.env, DATABASE_URL: database.url, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue, API_PORT: String(port),
      API_HOST: '127.0.0.1', OUTREACH_SECRET: 'bench-ingest-secret', PUBLIC_BASE_URL: 'http://outreach.test', LOG_LEVEL: 'warn', DISPATCH_WAIT_MS: '0',
    }, /^API listening/,
    // e.g. BENCH_API_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the API process.
    (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean));
    const serverPid = findProcess('start-dev', `--port ${env.address.split(':').pop()}`);
    const connection = await Connection.connect({ address: env.address, ...clientConnectionOptions() });
    const client = new Client({ connection });
    const base = `http://127.0.0.1:${port}`;
    const post = async (body: unknown) => {
      const res = await fetch(`${base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      if (res.status !== 202) throw new Error(`POST /v1/events answered ${res.status}: ${text.slice(0, 300)}`);
    };
    const cpu = () => ({ api: cpuSecondsOf(api.child.pid!), server: serverPid ? cpuSecondsOf(serverPid) : NaN });
    const cpuLine = (before: ReturnType<typeof cpu>, n: number, who: string) => {
      const now = cpu();
      return `CPU per event: ${who === 'api' ? `API ${fmt((1000 * (now.api - before.api)) / n, 2)} ms, ` : ''}Temporal server ${fmt((1000 * (now.server - before.server)) / n, 2)} ms`;
    };
    /** Waits until every event whose id starts with `prefix` is dispatched; their lags (ms) and the last dispatch instant. */
    const dispatched = async (prefix: string) => {
      for (;;) {
        const left = await db.event.count({ where: { idempotencyKey: { startsWith: prefix }, dispatchedAt: null } });
        if (left === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const rows = await db.event.findMany({ where: { idempotencyKey: { startsWith: prefix } }, select: { receivedAt: true, dispatchedAt: true } });
      const lags = rows.map((r) => r.dispatchedAt!.getTime() - r.receivedAt.getTime()).sort((a, b) => a - b);
      return { lags, last: Math.max(...rows.map((r) => r.dispatchedAt!.getTime())), first: Math.min(...rows.map((r) => r.receivedAt.getTime())) };
    };
    try {
      // Warm-up, not counted: the API's first requests load its code paths; Temporal creates the queue.
      await db.customer.createMany({ data: Array.from({ length: 20 }, (_, i) => ({ id: `warm-${i}`, email: `warm-${i}@example.com` })) });
      await drive(Array.from({ length: 20 }, (_, i) => i), 10, (i) => post({ id: `warm-${i}`, customerId: `warm-${i}`, name: 'signup', occurredAt: new Date().toISOString() }));
      await dispatched('warm-');
      await drive(Array.from({ length: 20 }, (_, i) => i), 10, (i) => client.workflow.signalWithStart('bareWorkflow', {
        workflowId: `bare-warm-${i}`, taskQueue: 'bench-bare', signal: 'event', signalArgs: [{ name: 'signup' }],
      }).then(() => undefined));

      let before = cpu();
      const bare = await drive(Array.from({ length: N }, (_, i) => i), CONCURRENCY, (i) => client.workflow.signalWithStart('bareWorkflow', {
        workflowId: `bare-${i}`, taskQueue: 'bench-bare', signal: 'event',
        signalArgs: [{ id: `bare-${i}`, name: 'signup', occurredAt: new Date().toISOString(), properties: {} }],
      }).then(() => undefined));
      const bareRate = N / bare.seconds;
      console.log(`bare signalWithStart        ${fmt(bareRate).padStart(6)} calls/s   ${lat(bare.latencies)}   ${cpuLine(before, N, 'bare')}`);

      before = cpu();
      const wall0 = Date.now();
      const single = await drive(Array.from({ length: N }, (_, i) => i), CONCURRENCY, (i) => post({ id: `single-${i}`, customerId: `single-${i}`, name: 'signup', occurredAt: new Date().toISOString() }));
      const s = await dispatched('single-');
      const sustained = N / ((s.last - wall0) / 1000);
      console.log(`single POST, accepted       ${fmt(N / single.seconds).padStart(6)} events/s  ${lat(single.latencies)}`);
      console.log(`single POST, dispatched     ${fmt(sustained).padStart(6)} events/s  lag ${lat(s.lags)}   ${cpuLine(before, N, 'api')}`);

      before = cpu();
      const wall1 = Date.now();
      const batches = Array.from({ length: Math.ceil(N / BATCH) }, (_, b) => b);
      const batch = await drive(batches, BATCH_CONCURRENCY, (b) => post({ events: Array.from({ length: Math.min(BATCH, N - b * BATCH) }, (_, j) => {
        const i = b * BATCH + j;
        return { id: `batch-${i}`, customerId: `batch-${i}`, name: 'signup', occurredAt: new Date().toISOString() };
      }) }));
      const bd = await dispatched('batch-');
      console.log(`batch POST, accepted        ${fmt(N / batch.seconds).padStart(6)} events/s  per request ${lat(batch.latencies)}`);
      console.log(`batch POST, dispatched      ${fmt(N / ((bd.last - wall1) / 1000)).padStart(6)} events/s  lag ${lat(bd.lags)}   ${cpuLine(before, N, 'api')}`);

      const plain = await drive(Array.from({ length: N }, (_, i) => i), CONCURRENCY, (i) => post({ id: `plain-${i}`, customerId: `plain-${i}`, name: 'page_view', occurredAt: new Date().toISOString(), properties: { path: '/pricing' } }));
      await dispatched('plain-');
      console.log(`plain POST (starts nothing) ${fmt(N / plain.seconds).padStart(6)} events/s  ${lat(plain.latencies)}`);

      console.log(`ratio, events that start an enrollment (dispatched) / bare signalWithStart: ${fmt(sustained / bareRate, 2)} (goal >= 0.9)`);
      console.log(`accept p99 ${fmt(percentile(single.latencies, 0.99), 1)} ms (goal <= 50); batch/single accepted: ${fmt((N / batch.seconds) / (N / single.seconds), 2)}x (goal >= 3)`);
      console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    } finally {
      await api.stop();
      await connection.close();
      await db.$disconnect();
      await database.drop();
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
