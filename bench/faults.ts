// Fault tests (issue 10): the real engine under injected faults, each scenario ending with every due
// email delivered exactly once or marked ambiguous, nothing lost. See docs/faults.md.
//   npx tsx bench/faults.ts [worker-kill] [temporal-restart] [smtp-outage] [postgres-restart]   (default: all)
// Environment: BENCH_OUTAGE_SECONDS (SMTP outage, default 60), BENCH_FAULT_CUSTOMERS (default 50),
// BENCH_TEMPORAL_DOWN_SECONDS (default 5), CRASH_SENDS (worker-kill, default 100).
// Exits 1 if any scenario violates the invariant.
import { ensureTools } from '../worker/support/tools';
import { machine, withDevServer } from './support'; // also installs the WARN-level Runtime logger
import { formatSummary, postgresRestart, smtpOutage, temporalRestart, workerKill, type FaultSummary } from './faults/scenarios';

const ALL = ['worker-kill', 'temporal-restart', 'smtp-outage', 'postgres-restart'] as const;
type Scenario = (typeof ALL)[number];

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !(ALL as readonly string[]).includes(a));
  if (unknown.length) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
    process.exit(2);
  }
  const chosen: Scenario[] = args.length ? (args as Scenario[]) : [...ALL];
  const customers = Number(process.env.BENCH_FAULT_CUSTOMERS ?? 50);
  const outageSeconds = Number(process.env.BENCH_OUTAGE_SECONDS ?? 60);
  const log = (l: string) => console.log(l);
  console.log(`fault tests on ${machine()}: ${chosen.join(', ')}`);
  const summaries: FaultSummary[] = [];
  const guard = async (name: string, fn: () => Promise<FaultSummary>) => {
    const t0 = Date.now();
    try {
      summaries.push(await fn());
    } catch (err) {
      summaries.push({
        scenario: name, injections: [], notes: [`scenario crashed: ${(err as Error).stack ?? err}`], due: 0, delivered: 0, distinct: 0, duplicates: 0,
        sent: 0, ambiguous: 0, ambiguousDelivered: 0, other: 0, pending: 0, sentMissing: 0, unknownAtSink: 0,
        seconds: (Date.now() - t0) / 1000, ok: false, violations: [`the scenario did not complete: ${(err as Error).message}`],
      });
    }
    console.log(formatSummary(summaries[summaries.length - 1]));
  };
  for (const s of chosen) {
    if (s === 'worker-kill') await guard(s, () => workerKill({ sends: Number(process.env.CRASH_SENDS ?? 100), log }));
    if (s === 'temporal-restart') {
      const tools = await ensureTools('temporal', { quiet: true });
      await guard(s, () => temporalRestart({ temporalExecutable: tools.temporal!, customers, downSeconds: Number(process.env.BENCH_TEMPORAL_DOWN_SECONDS ?? 5), log }));
    }
    if (s === 'smtp-outage') await withDevServer((env) => guard(s, () => smtpOutage({ temporalAddress: env.address, customers, outageSeconds, log })));
    if (s === 'postgres-restart') await withDevServer((env) => guard(s, () => postgresRestart({ temporalAddress: env.address, customers, log })));
  }
  console.log('\nsummary');
  for (const s of summaries) console.log(formatSummary(s));
  const failed = summaries.filter((s) => !s.ok);
  console.log(failed.length ? `FAILED: ${failed.map((s) => s.scenario).join(', ')} violated the invariant` : 'every scenario: every due email delivered exactly once or marked ambiguous, nothing lost');
  process.exit(failed.length ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
