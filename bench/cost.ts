// Cost per enrollment: history events per send step (goal: at most 12) and worker memory with many
// enrollments sleeping (goal: at most 400 MB RSS for 10,000; 450 MB for 100,000). Real Temporal dev
// server, real worker, SQLite, SMTP sink. `BENCH_SLEEPERS` sets the number of sleeping enrollments
// (default 10000); `BENCH_SETTLE_S` how long the worker's RSS is followed after they all sleep
// (default 60 s).
//   npx tsx bench/cost.ts
import { startStack } from '../test/support/stack';
import type { SequenceDefinition } from '../domain/sequence/types';
import { cpuSecondsOf, fmt, machine, rssOf, spawnReady, withDevServer, workerProcessOf } from './support';
import { freePort } from '../test/support/postgres';
import { sequenceWorkflow } from '../workflows/sequence/workflow';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SLEEPERS = Number(process.env.BENCH_SLEEPERS ?? 10_000);
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 60);
const GOAL_MB = SLEEPERS > 10_000 ? 450 : 400;

/**
 * Where a process's memory is: RSS from /proc (anonymous and file-backed pages), and the main
 * thread's V8 heap from the worker's own metrics endpoint (prom-client's default metrics). The rest
 * of the anonymous memory is outside the main thread's heap: the workflow thread's V8 heap, the
 * Temporal core (Rust) and the allocator.
 */
async function memoryOf(pid: number, metricsPort: number): Promise<string> {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  let heap = '';
  try {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const metric = (name: string) => Number(new RegExp(`^outreach_process_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
    const total = metric('nodejs_heap_size_total_bytes');
    heap = `; main-thread V8 heap ${fmt(total)} MB (${fmt(metric('nodejs_heap_size_used_bytes'))} used), external ${fmt(metric('nodejs_external_memory_bytes'))} MB; other anonymous memory (workflow thread, Temporal core, allocator) ${fmt(kb('RssAnon') - total)} MB`;
  } catch {
    heap = '; metrics endpoint did not answer';
  }
  return `RSS ${fmt(kb('VmRSS'))} MB (anonymous ${fmt(kb('RssAnon'))}, files ${fmt(kb('RssFile'))}${heap})`;
}

const sends = (n: number): SequenceDefinition => ({
  id: 'cost-sends', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
  steps: Array.from({ length: n }, (_, i) => ({ id: `send-${i + 1}`, type: 'send' as const, template: 'onboarding-tips-1', category: 'transactional' as const })),
});

const sleeper: SequenceDefinition = {
  id: 'cost-sleep', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
  steps: [{ id: 'sleep', type: 'wait', duration: { days: 30 } }, { id: 'later', type: 'send', template: 'onboarding-tips-1', category: 'transactional' }],
};

async function historyLength(stack: Awaited<ReturnType<typeof startStack>>, workflowId: string): Promise<number> {
  const h = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
  return h.events?.length ?? 0;
}

async function main() {
  console.log(`cost benchmark on ${machine()}`);
  await withDevServer(async () => {
    // An always-open account calendar (every day, all day), so sends go at once whenever the
    // benchmark runs and the figure counts the engine's own events, not waiting.
    const stack = await startStack({ sequences: [sends(1), sleeper], env: { SEND_WINDOWS: '00:00-24:00', WORKING_DAYS: '1,2,3,4,5,6,7', DEFAULT_TIME_ZONE: 'UTC', SPREAD_SENDS: 'false' } });
    try {
      // Customers without a time zone use the account calendar above.
      await stack.db.customer.create({ data: { id: 'cost-1', email: 'cost-1@example.com' } });
      await stack.db.customer.create({ data: { id: 'cost-5', email: 'cost-5@example.com' } });
      const run = async (def: SequenceDefinition, customerId: string) => {
        const workflowId = `cost-${def.steps.length}-${Date.now()}`;
        await stack.db.enrollment.create({ data: { workflowId, customerId, sequenceId: def.id, sequenceVersion: 1, entryKey: workflowId } });
        await stack.temporal.workflow.execute(sequenceWorkflow, { workflowId, taskQueue: stack.taskQueue, args: [{ definition: def, customerId, entryKey: workflowId }] });
        return historyLength(stack, workflowId);
      };
      const one = await run(sends(1), 'cost-1');
      const five = await run(sends(5), 'cost-5');
      const perSend = (five - one) / 4;
      console.log(`history events: 1 send ${one}, 5 sends ${five} -> ${fmt(perSend, 1)} events per send step (goal <= 12: ${perSend <= 12 ? 'met' : 'NOT met'}), fixed overhead ${fmt(one - perSend, 0)}`);

      // Memory: a separate worker process (as deployed: `outreach worker`) holding SLEEPERS
      // enrollments that sleep; its resident memory is read from /proc once all have started.
      const queue = `${stack.taskQueue}-mem`;
      const metricsPort = await freePort();
      const worker = await spawnReady(path.join(__dirname, '..', 'bin', 'outreach.js'), ['worker'], {
        ...process.env, DATABASE_URL: stack.config.database.url, TEMPORAL_ADDRESS: stack.config.temporal.address, TEMPORAL_TASK_QUEUE: queue, SMTP_URL: stack.config.smtp.url, OUTREACH_SECRET: stack.config.secret, LOG_LEVEL: 'warn',
        WORKER_METRICS_PORT: String(metricsPort),
      }, /^worker polling/);
      // The worker process: the launcher's child (bin/worker-launcher.js), or the process itself
      // when it runs the worker in place; a launcher's own memory is reported beside it.
      const pid = workerProcessOf(worker.child.pid!);
      const launcherMb = (field: 'VmRSS' | 'RssAnon') => {
        const status = fs.readFileSync(`/proc/${worker.child.pid}/status`, 'utf8');
        return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
      };
      const launcher = () => (pid === worker.child.pid ? '' : `; launcher process RSS ${fmt(launcherMb('VmRSS'))} MB (${fmt(launcherMb('RssAnon'))} MB anonymous)`);
      const load = () => `load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`;
      try {
        // Settle after start-up (template warm-up, the MJML thread stopping) before the idle reading.
        await new Promise((r) => setTimeout(r, 4000));
        const idle = rssOf(pid);
        console.log(`idle worker: ${await memoryOf(pid, metricsPort)}${launcher()}; ${load()}`);
        const t0 = Date.now();
        const cpu0 = cpuSecondsOf(pid);
        for (let i = 0; i < SLEEPERS; i += 200) {
          await Promise.all(Array.from({ length: Math.min(200, SLEEPERS - i) }, async (_, j) => {
            const id = `s-${i + j}`;
            await stack.temporal.workflow.start(sequenceWorkflow, { workflowId: `cost-sleep-${id}`, taskQueue: queue, args: [{ definition: sleeper, customerId: 'cost-1', entryKey: id }] });
          }));
        }
        const started = (Date.now() - t0) / 1000;
        // Done when every enrollment has run its first workflow task: its state says it is waiting.
        let sleeping = 0;
        for (let tries = 0; tries < Math.max(900, SLEEPERS / 10); tries++) {
          sleeping = (await stack.temporal.workflow.count(`TaskQueue = '${queue}' AND OutreachState = 'waiting'`)).count;
          if (sleeping >= SLEEPERS) break;
          await new Promise((r) => setTimeout(r, 1000));
        }
        const settled = (Date.now() - t0) / 1000;
        const cpu = cpuSecondsOf(pid) - cpu0;
        await new Promise((r) => setTimeout(r, 3000));
        const rss = rssOf(pid);
        // The launcher's file-backed pages are the node binary's, shared with the worker: its own
        // cost is its anonymous memory.
        const withLauncher = pid === worker.child.pid ? '' : ` (${fmt(rss + launcherMb('RssAnon'))} MB with the launcher's own memory)`;
        console.log(`${fmt(sleeping)} of ${fmt(SLEEPERS)} enrollments sleeping after ${fmt(settled, 1)} s (started in ${fmt(started, 1)} s): worker process RSS ${fmt(rss)} MB${withLauncher} (idle ${fmt(idle)} MB); goal <= ${GOAL_MB} MB: ${rss <= GOAL_MB ? 'met' : 'NOT met'}; ${load()}`);
        console.log(`  ${await memoryOf(pid, metricsPort)}${launcher()}; worker CPU ${fmt(cpu, 1)} s (${fmt((cpu * 1000) / SLEEPERS, 2)} ms per enrollment)`);
        // The same worker, left alone: V8 gives back what the start-up burst grew once its heaps
        // are idle, so the reading a while later is the one a long-lived worker holds.
        const later: number[] = [];
        for (let t = 0; t < SETTLE_S; t += 10) {
          await new Promise((r) => setTimeout(r, 10_000));
          later.push(rssOf(pid));
        }
        if (later.length) {
          console.log(`  RSS every 10 s afterwards: ${later.map((r) => fmt(r)).join(', ')} MB; after ${SETTLE_S} s ${await memoryOf(pid, metricsPort)}; ${load()}`);
        }
        // No clean-up of the sleepers: the dev server and its in-memory store go with the benchmark.
      } finally {
        await worker.stop();
      }
    } finally {
      await stack.stop();
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
