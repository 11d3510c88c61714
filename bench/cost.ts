// Cost per enrollment: history events per send step (goal: at most 12) and worker memory with many
// enrollments sleeping (goal: at most 400 MB RSS for 10,000). Real Temporal dev server, real worker,
// SQLite, SMTP sink. `BENCH_SLEEPERS` sets the number of sleeping enrollments (default 10000).
//   npx tsx bench/cost.ts
import { startStack } from '../test/support/stack';
import type { SequenceDefinition } from '../domain/sequence/types';
import { fmt, machine, rssOf, spawnReady, withDevServer } from './support';
import { sequenceWorkflow } from '../workflows/sequence/workflow';
import path from 'node:path';

const SLEEPERS = Number(process.env.BENCH_SLEEPERS ?? 10_000);

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
      const worker = await spawnReady(path.join(__dirname, '..', 'bin', 'outreach.js'), ['worker'], {
        ...process.env, DATABASE_URL: stack.config.database.url, TEMPORAL_ADDRESS: stack.config.temporal.address, TEMPORAL_TASK_QUEUE: queue, SMTP_URL: stack.config.smtp.url, OUTREACH_SECRET: stack.config.secret, LOG_LEVEL: 'warn',
      }, /^worker polling/);
      const child = worker.child;
      try {
        // Settle after start-up (template warm-up, the MJML thread stopping) before the idle reading.
        await new Promise((r) => setTimeout(r, 4000));
        const idle = rssOf(child.pid!);
        const t0 = Date.now();
        for (let i = 0; i < SLEEPERS; i += 200) {
          await Promise.all(Array.from({ length: Math.min(200, SLEEPERS - i) }, async (_, j) => {
            const id = `s-${i + j}`;
            await stack.temporal.workflow.start(sequenceWorkflow, { workflowId: `cost-sleep-${id}`, taskQueue: queue, args: [{ definition: sleeper, customerId: 'cost-1', entryKey: id }] });
          }));
        }
        const started = (Date.now() - t0) / 1000;
        // Done when every enrollment has run its first workflow task: its state says it is waiting.
        let sleeping = 0;
        for (let tries = 0; tries < 900; tries++) {
          sleeping = (await stack.temporal.workflow.count(`TaskQueue = '${queue}' AND OutreachState = 'waiting'`)).count;
          if (sleeping >= SLEEPERS) break;
          await new Promise((r) => setTimeout(r, 1000));
        }
        const settled = (Date.now() - t0) / 1000;
        await new Promise((r) => setTimeout(r, 3000));
        const rss = rssOf(child.pid!);
        console.log(`${fmt(sleeping)} of ${fmt(SLEEPERS)} enrollments sleeping after ${fmt(settled, 1)} s (started in ${fmt(started, 1)} s): worker process RSS ${fmt(rss)} MB (idle ${fmt(idle)} MB); goal <= 400 MB: ${rss <= 400 ? 'met' : 'NOT met'}`);
        for (let i = 0; i < SLEEPERS; i += 500) {
          await Promise.all(Array.from({ length: Math.min(500, SLEEPERS - i) }, (_, j) => stack.temporal.workflow.getHandle(`cost-sleep-s-${i + j}`).terminate('bench over').catch(() => undefined)));
        }
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
