// End-to-end throughput: N customers (BENCH_CUSTOMERS, default 2,000, up to 10,000) enrolled through
// the HTTP API into a three-send sequence with short waits, against the real Temporal dev server,
// SQLite and a real SMTP sink: enrollments per second and emails per second. In the same run, a bare
// Temporal workflow calling one no-op activity, driven the same way at the same concurrency, gives
// the platform's limit on this machine; our email rate is printed as a fraction of its activity rate
// (goal >= 0.7).
//
// Both workers run in their own process, as deployed (`outreach worker`; bench/bare/worker.ts), next
// to this driver, the API and the sink. Two ways of driving, each for both systems:
//   steady  BENCH_CONCURRENCY (default 50) enrollments in flight: each lane posts a signup and
//           waits for that customer's third email (bare: starts a workflow and waits for its result)
//   burst   all N posted by the same number of concurrent clients without waiting, then every
//           email awaited (bare: all N started, then every result awaited)
// The worker's settings come from the environment, e.g. WORKER_MAX_CACHED_WORKFLOWS=2000.
//   npx tsx bench/e2e.ts
//
// --cluster: the production shape instead of the dev server. A multi-service Temporal cluster
// (`outreach cluster`: PostgreSQL, frontend, two history processes, matching, worker), PostgreSQL as
// the engine's database, two `outreach worker` and two `outreach api` processes; steady mode only.
// One history process is killed (SIGKILL) a third of the way through and restarted 5 s later, in
// the engine's phase and in the bare phase alike; the run then checks that every email went out
// exactly once (or is marked ambiguous) and every event was dispatched. BENCH_CUSTOMERS default 600;
// the sequence's three sends follow each other (YAML waits are at least a minute).
//   npx tsx bench/e2e.ts --cluster
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { startStack, type Stack } from '../test/support/stack';
import { startEngineOnCluster } from '../test/support/cluster-engine';
import type { SequenceDefinition } from '../domain/sequence/types';
import { TemporalCluster } from '../worker/support/cluster';
import { ensureTools } from '../worker/support/tools';
import { MailCatcher } from '../client/mail-catcher/mail-catcher';
import { cpuSecondsOf, findProcess, fmt, machine, rssOf, spawnReady, withDevServer } from './support';

const CLUSTER = process.argv.includes('--cluster');
const N = Math.min(Number(process.env.BENCH_CUSTOMERS ?? (CLUSTER ? 600 : 2000)), 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const MODES = (process.env.BENCH_MODES ?? 'steady,burst').split(',');
const SENDS = 3;

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

/**
 * The cluster run's sequence: its API processes read sequences from YAML, where a wait is at least a
 * minute, so the three sends follow each other (the dev-server run's 1 s waits exist only in-process).
 */
const threeSendsBackToBack: SequenceDefinition = { ...threeSends, id: 'bench-three-now', steps: threeSends.steps.filter((s) => s.type === 'send') };

// Always-open calendar and no spreading: the figure is the engine's speed, not the calendar's waiting.
const ENGINE_ENV = { SEND_WINDOWS: '00:00-24:00', WORKING_DAYS: '1,2,3,4,5,6,7', DEFAULT_TIME_ZONE: 'UTC', SPREAD_SENDS: 'false', LOG_LEVEL: 'warn' };

async function pool<T>(items: T[], limit: number, fn: (t: T) => Promise<unknown>) {
  let i = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}

/** Arrivals at the sink per recipient, with waiters for "this customer has all their emails". */
class Arrivals {
  private counts = new Map<string, number>();
  private waiters = new Map<string, () => void>();
  readonly messageIds = new Map<string, number>();

  record(to: string[], raw: string) {
    const id = /^Message-ID:\s*(\S+)/im.exec(raw)?.[1] ?? `none-${this.messageIds.size}`;
    this.messageIds.set(id, (this.messageIds.get(id) ?? 0) + 1);
    for (const r of to) {
      const n = (this.counts.get(r) ?? 0) + 1;
      this.counts.set(r, n);
      if (n >= SENDS) this.waiters.get(r)?.();
    }
  }

  all(recipient: string): Promise<void> {
    if ((this.counts.get(recipient) ?? 0) >= SENDS) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(recipient, () => {
      this.waiters.delete(recipient);
      resolve();
    }));
  }

  get duplicates(): number {
    let d = 0;
    for (const n of this.messageIds.values()) d += n - 1;
    return d;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

async function signup(stack: Stack, id: string) {
  const r = await stack.call('POST', '/v1/events', { id: `${id}-signup`, customerId: id, name: 'signup', occurredAt: new Date().toISOString() });
  if (r.status !== 202) throw new Error(`event for ${id}: ${r.status} ${JSON.stringify(r.body)}`);
}

async function main() {
  console.log(`end-to-end benchmark on ${machine()}: ${fmt(N)} customers per mode, concurrency ${CONCURRENCY}, worker cache ${process.env.WORKER_MAX_CACHED_WORKFLOWS ?? 'default'}`);
  const arrivals = new Arrivals();
  await withDevServer(async (env) => {
    const stack = await startStack({ worker: false, sequences: [threeSends], env: ENGINE_ENV, sink: { keep: false, onMessage: (m) => arrivals.record(m.to, m.raw) } });
    const c = stack.config;
    const worker = await spawnReady(path.join(__dirname, '..', 'bin', 'outreach.js'), ['worker'], {
      ...process.env, ...ENGINE_ENV,
      DATABASE_URL: c.database.url, TEMPORAL_ADDRESS: c.temporal.address, TEMPORAL_TASK_QUEUE: stack.taskQueue,
      SMTP_URL: c.smtp.url, OUTREACH_SECRET: c.secret, PUBLIC_BASE_URL: c.api.publicBaseUrl,
    }, /^worker polling/,
    // e.g. BENCH_WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the worker.
    (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean));
    const bare = await spawnReady(path.join(__dirname, 'bare', 'worker.ts'), [env.address, 'bench-bare'], process.env, /^bare worker polling/);
    const results: Array<{ mode: string; ours: number; bare: number }> = [];
    // CPU used by each process during a phase: where the machine's two cores went.
    const serverPid = findProcess('start-dev', `--port ${env.address.split(':').pop()}`);
    const cpu = () => ({ worker: cpuSecondsOf(worker.child.pid!), bare: cpuSecondsOf(bare.child.pid!), server: serverPid ? cpuSecondsOf(serverPid) : NaN, here: process.cpuUsage() });
    const cpuSince = (before: ReturnType<typeof cpu>, work: number, unit: string, workerKey: 'worker' | 'bare') => {
      const now = cpu();
      const here = process.cpuUsage(before.here);
      const w = now[workerKey] - before[workerKey];
      const srv = now.server - before.server;
      const drv = (here.user + here.system) / 1e6;
      return `CPU: ${workerKey === 'worker' ? 'engine worker' : 'bare worker'} ${fmt(w, 1)} s, Temporal server ${fmt(srv, 1)} s, ${workerKey === 'worker' ? 'API + sink + driver' : 'driver'} ${fmt(drv, 1)} s; ${fmt((1000 * (w + srv + drv)) / work, 1)} ms per ${unit} (worker ${fmt((1000 * w) / work, 1)}, server ${fmt((1000 * srv) / work, 1)})`;
    };
    // A worker that dies mid-run ends the benchmark with an error instead of a wait for emails that never come.
    let stopping = false;
    const died = Promise.race([worker.exited.then((c) => ['outreach worker', c] as const), bare.exited.then((c) => ['bare worker', c] as const)]).then(([who, code]) => {
      if (!stopping) throw new Error(`the ${who} process exited (code ${code}) during the benchmark`);
      return new Promise<never>(() => undefined);
    });
    died.catch(() => undefined);
    const watch = <T>(p: Promise<T>) => Promise.race([p, died]);
    try {
      const customers = (mode: string) => Array.from({ length: N }, (_, i) => `${mode}-${i}`);
      for (const mode of MODES) {
        await pool(customers(mode), 20, (id) => stack.call('PUT', `/v1/customers/${id}`, { email: `${id}@example.com`, givenName: 'Ada', locale: ['en', 'de', 'ja', 'pt-BR'][Number(id.split('-')[1]) % 4] }));
      }
      // Warm-up, not counted: the first emails of each locale compile their templates.
      for (const id of ['warm-0', 'warm-1', 'warm-2', 'warm-3']) {
        await stack.call('PUT', `/v1/customers/${id}`, { email: `${id}@example.com`, givenName: 'Ada', locale: ['en', 'de', 'ja', 'pt-BR'][Number(id.slice(5))] });
        await signup(stack, id);
      }
      await Promise.all(['warm-0', 'warm-1', 'warm-2', 'warm-3'].map((id) => arrivals.all(`${id}@example.com`)));

      for (const mode of MODES) {
        const ids = customers(mode);
        const latencies: number[] = [];
        const c0 = cpu();
        const t0 = Date.now();
        let ingested = 0;
        if (mode === 'steady') {
          await watch(pool(ids, CONCURRENCY, async (id) => {
            const s = Date.now();
            await signup(stack, id);
            await arrivals.all(`${id}@example.com`);
            latencies.push(Date.now() - s);
          }));
          ingested = (Date.now() - t0) / 1000;
        } else if (mode === 'burst') {
          await pool(ids, CONCURRENCY, (id) => signup(stack, id));
          ingested = (Date.now() - t0) / 1000;
          await watch(pool(ids, 500, (id) => arrivals.all(`${id}@example.com`)));
        } else throw new Error(`BENCH_MODES: unknown mode "${mode}" (steady, burst)`);
        const elapsed = (Date.now() - t0) / 1000;
        const emailsPerSec = (SENDS * N) / elapsed;
        const rss = rssOf(worker.child.pid!);
        console.log(`\n[${mode}] outreach: ${fmt(N)} enrollments, ${fmt(SENDS * N)} emails delivered in ${fmt(elapsed, 1)} s: ${fmt(emailsPerSec, 1)} emails/s, ${fmt(N / elapsed, 1)} enrollments/s completed (each waits 2 s between its sends)`);
        if (mode === 'burst') console.log(`  ingestion: ${fmt(N)} signups accepted in ${fmt(ingested, 1)} s (${fmt(N / ingested, 1)}/s)`);
        if (latencies.length) {
          latencies.sort((a, b) => a - b);
          console.log(`  signup to third email: p50 ${fmt(percentile(latencies, 0.5))} ms, p99 ${fmt(percentile(latencies, 0.99))} ms (2,000 ms of it is the sequence's own waits)`);
        }
        console.log(`  ${cpuSince(c0, SENDS * N, 'email', 'worker')}`);
        console.log(`  worker process RSS ${fmt(rss)} MB`);

        const bc0 = cpu();
        const b0 = Date.now();
        if (mode === 'steady') {
          await watch(pool(ids, CONCURRENCY, (id) => env.client.workflow.execute('bareWorkflow', { workflowId: `bare-${mode}-${id}`, taskQueue: 'bench-bare' })));
        } else {
          const handles: Array<{ result(): Promise<unknown> }> = [];
          await pool(ids, CONCURRENCY, async (id) => handles.push(await env.client.workflow.start('bareWorkflow', { workflowId: `bare-${mode}-${id}`, taskQueue: 'bench-bare' })));
          await watch(pool(handles, 500, (h) => h.result()));
        }
        const bareSeconds = (Date.now() - b0) / 1000;
        const bareRate = N / bareSeconds;
        console.log(`[${mode}] bare Temporal: ${fmt(N)} workflows with one no-op activity in ${fmt(bareSeconds, 1)} s: ${fmt(bareRate, 1)} activities/s`);
        console.log(`  ${cpuSince(bc0, N, 'activity', 'bare')}`);
        console.log(`[${mode}] ratio: outreach emails/s ÷ bare activities/s = ${fmt(emailsPerSec / bareRate, 2)} (goal >= 0.7)`);
        results.push({ mode, ours: emailsPerSec, bare: bareRate });
      }

      // Exactly once: every send is recorded as sent once and reached the sink once.
      const expected = SENDS * (N * MODES.length + 4);
      let sent = 0;
      for (let tries = 0; tries < 50 && sent < expected; tries++) {
        sent = await stack.db.sendLedger.count({ where: { status: 'sent' } });
        if (sent < expected) await new Promise((r) => setTimeout(r, 200));
      }
      console.log(`\nledger: ${fmt(sent)} sent of ${fmt(expected)} due; sink: ${fmt(stack.sink.received)} messages, ${fmt(arrivals.messageIds.size)} distinct Message-IDs (duplicates: ${fmt(arrivals.duplicates)})`);
      console.log(`summary: ${results.map((r) => `${r.mode} ${fmt(r.ours, 1)}/${fmt(r.bare, 1)} = ${fmt(r.ours / r.bare, 2)}`).join('; ')}`);
    } finally {
      stopping = true;
      await worker.stop();
      await bare.stop();
      await stack.stop();
    }
  });
}

/** Kills history-1 once `progress()` reaches a third of `total`, restarts it 5 s later; resolves with what happened. */
function killHistoryAtAThird(cluster: TemporalCluster, progress: () => number, total: number): { done: Promise<string>; cancel(): void } {
  let cancelled = false;
  const done = (async () => {
    while (!cancelled && progress() < total / 3) await new Promise((r) => setTimeout(r, 100));
    if (cancelled) return 'no kill (finished first)';
    const at = progress();
    await cluster.kill('history-1');
    await new Promise((r) => setTimeout(r, 5_000));
    cluster.restart('history-1');
    return `history-1 killed (SIGKILL) at ${fmt(at)} of ${fmt(total)} done, restarted 5 s later`;
  })();
  return { done, cancel: () => { cancelled = true; } };
}

async function clusterMain() {
  console.log(`end-to-end benchmark on a multi-service Temporal cluster, ${machine()}: ${fmt(N)} customers, concurrency ${CONCURRENCY}`);
  const tools = await ensureTools('server', { quiet: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-bench-cluster-'));
  const arrivals = new Arrivals();
  const sink = new MailCatcher({ keep: false, onMessage: (m) => arrivals.record(m.to, m.raw) });
  const smtpPort = await sink.listen();
  const cluster = await TemporalCluster.start({ dir, serverDir: tools.server! });
  const engine = await startEngineOnCluster({ cluster, dir, sequences: [threeSendsBackToBack], smtpUrl: `smtp://127.0.0.1:${smtpPort}`, env: ENGINE_ENV });
  const bare = await spawnReady(path.join(__dirname, 'bare', 'worker.ts'), [cluster.address, 'bench-bare'], process.env, /^bare worker polling/);
  const connection = await cluster.connect();
  const client = new Client({ connection });
  const pids = () => ({
    workers: engine.workers.map((w) => w.child.pid!), apis: engine.apiProcesses.map((a) => a.child.pid!), bare: [bare.child.pid!],
    temporal: cluster.processes.map((p) => p.child?.pid).filter((x): x is number => !!x),
    postgres: fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => { try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('postgres'); } catch { return false; } }),
  });
  // CPU seconds per group of processes, per pid: a phase counts what each process alive at its end
  // used during it (all of it for a process started meanwhile). A process that exits during the phase
  // (the killed history process, PostgreSQL backends of its connections) takes its share with it, so
  // the Temporal and PostgreSQL figures are lower bounds in a phase with a kill.
  type Sample = Record<keyof ReturnType<typeof pids>, Map<number, number>>;
  const cpu = (): Sample => Object.fromEntries(Object.entries(pids()).map(([k, ps]) => [k, new Map(ps.map((pid) => [pid, cpuSecondsOf(pid) || 0]))])) as Sample;
  const used = (a: Sample, b: Sample, k: keyof Sample) => [...b[k]].reduce((s, [pid, t]) => s + t - (a[k].get(pid) ?? 0), 0);
  try {
    const ids = Array.from({ length: N }, (_, i) => `cl-${i}`);
    await pool(ids.map((id, i) => [id, i] as const), 20, ([id, i]) => engine.call(i, 'PUT', `/v1/customers/${id}`, { email: `${id}@example.com`, givenName: 'Ada', locale: ['en', 'de', 'ja', 'pt-BR'][i % 4] }));
    for (const [i, id] of ['warm-0', 'warm-1', 'warm-2', 'warm-3'].entries()) {
      await engine.call(i, 'PUT', `/v1/customers/${id}`, { email: `${id}@example.com`, givenName: 'Ada', locale: ['en', 'de', 'ja', 'pt-BR'][i] });
      await engine.call(i, 'POST', '/v1/events', { id: `${id}-signup`, customerId: id, name: 'signup', occurredAt: new Date().toISOString() });
    }
    await Promise.all(['warm-0', 'warm-1', 'warm-2', 'warm-3'].map((id) => arrivals.all(`${id}@example.com`)));

    let done = 0;
    const latencies: number[] = [];
    const s0 = await cluster.statementsByDatabase();
    const c0 = cpu();
    const t0 = Date.now();
    const kill = killHistoryAtAThird(cluster, () => done, N);
    let next = 0;
    await pool(ids, CONCURRENCY, async (id) => {
      const i = next++;
      const s = Date.now();
      for (;;) {
        const r = await engine.call(i, 'POST', '/v1/events', { id: `${id}-signup`, customerId: id, name: 'signup', occurredAt: new Date().toISOString() }).catch((e: Error) => ({ status: 0, body: { error: e.message } }));
        if (r.status === 202 || r.status === 200) break;
        await new Promise((res) => setTimeout(res, 500)); // an API answering 5xx while history moves: the sender retries
      }
      await arrivals.all(`${id}@example.com`);
      latencies.push(Date.now() - s);
      done++;
    });
    kill.cancel();
    const killed = await kill.done;
    const elapsed = (Date.now() - t0) / 1000;
    const c1 = cpu();
    const emailsPerSec = (SENDS * N) / elapsed;
    latencies.sort((a, b) => a - b);
    console.log(`\n[cluster] outreach: ${fmt(SENDS * N)} emails in ${fmt(elapsed, 1)} s: ${fmt(emailsPerSec, 1)} emails/s; ${killed}`);
    console.log(`  signup to third email: p50 ${fmt(percentile(latencies, 0.5))} ms, p99 ${fmt(percentile(latencies, 0.99))} ms (2,000 ms of it is the sequence's own waits)`);
    const s1 = await cluster.statementsByDatabase();
    const per = (k: keyof Sample) => (1000 * used(c0, c1, k)) / (SENDS * N);
    console.log(`  CPU per email: workers ${fmt(per('workers'), 1)} ms, APIs ${fmt(per('apis'), 1)} ms, Temporal services ${fmt(per('temporal'), 1)} ms (lower bound), PostgreSQL ${fmt(per('postgres'), 1)} ms (lower bound)`);
    const stmts = (db: string, a: Record<string, number>, b: Record<string, number>) => ((b[db] ?? 0) - (a[db] ?? 0)) / (SENDS * N);
    console.log(`  SQL statements per email: engine database ${fmt(stmts('outreach', s0, s1), 1)}, Temporal persistence ${fmt(stmts('temporal', s0, s1), 1)}, Temporal visibility ${fmt(stmts('temporal_visibility', s0, s1), 1)}`);

    let bareDone = 0;
    const bs0 = await cluster.statementsByDatabase();
    const b0 = Date.now();
    const bc0 = cpu();
    const bareKill = killHistoryAtAThird(cluster, () => bareDone, N);
    await pool(ids, CONCURRENCY, async (id) => {
      await client.workflow.execute('bareWorkflow', { workflowId: `bare-${id}`, taskQueue: 'bench-bare' });
      bareDone++;
    });
    bareKill.cancel();
    const bareKilled = await bareKill.done;
    const bareSeconds = (Date.now() - b0) / 1000;
    const bc1 = cpu();
    const bareRate = N / bareSeconds;
    console.log(`[cluster] bare Temporal: ${fmt(N)} workflows with one no-op activity in ${fmt(bareSeconds, 1)} s: ${fmt(bareRate, 1)} activities/s; ${bareKilled}`);
    console.log(`  CPU per activity: bare worker ${fmt((1000 * used(bc0, bc1, 'bare')) / N, 1)} ms, Temporal services ${fmt((1000 * used(bc0, bc1, 'temporal')) / N, 1)} ms (lower bound), PostgreSQL ${fmt((1000 * used(bc0, bc1, 'postgres')) / N, 1)} ms (lower bound)`);
    const bs1 = await cluster.statementsByDatabase();
    const bstmts = (db: string) => ((bs1[db] ?? 0) - (bs0[db] ?? 0)) / N;
    console.log(`  SQL statements per activity: Temporal persistence ${fmt(bstmts('temporal'), 1)}, Temporal visibility ${fmt(bstmts('temporal_visibility'), 1)}`);
    console.log(`[cluster] ratio: outreach emails/s ÷ bare activities/s = ${fmt(emailsPerSec / bareRate, 2)}`);

    // Exactly once, nothing lost.
    const expected = SENDS * (N + 4);
    const ledger = await engine.db.sendLedger.groupBy({ by: ['status'], _count: { _all: true } });
    const byStatus = Object.fromEntries(ledger.map((r) => [r.status, r._count._all]));
    const events = await engine.db.event.count();
    const dispatched = await engine.db.event.count({ where: { dispatchedAt: { not: null } } });
    console.log(`\nledger: ${JSON.stringify(byStatus)} of ${fmt(expected)} due; sink: ${fmt(sink.received)} messages, ${fmt(arrivals.messageIds.size)} distinct Message-IDs (duplicates: ${fmt(arrivals.duplicates)}); events: ${fmt(dispatched)} of ${fmt(events)} dispatched`);
  } finally {
    await connection.close();
    await bare.stop();
    await engine.stop();
    await sink.close();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(CLUSTER ? clusterMain() : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
