// The worker as a separate process, SIGKILLed at random moments while it sends 200 emails and
// started again each time: every step ends delivered exactly once, or marked ambiguous (the
// process died between the provider's acceptance and the ledger update), never sent twice.
// The scenario lives in bench/crash.ts (also runnable on its own: `npx tsx bench/crash.ts`).
import { describeReport, runCrashScenario } from '../../bench/crash';

jest.setTimeout(330_000);

it('200 sends under repeated SIGKILLs: each delivered exactly once or marked ambiguous, no duplicates', async () => {
  const lines: string[] = [];
  const report = await runCrashScenario({
    customers: 200,
    maxKills: 10,
    aliveMs: [300, 3000],
    // Kills for 90 s; the recovery worker then has until 300 s to finish what is left. On an idle
    // machine it is done well before; on a loaded one (each worker start takes seconds) it needs the room.
    killWindowMs: 90_000,
    deadlineMs: 300_000,
    // Slow enough that the sends span several worker lifetimes.
    workerEnv: { EMAIL_RATE_PER_SECOND: '10' },
    log: (l) => lines.push(l),
  });
  console.log([...lines, describeReport(report)].join('\n'));
  expect(report.unfinished).toBe(0);
  expect(report.duplicates).toBe(0);
  expect(report.sentMissing).toBe(0);
  expect(report.other).toBe(0);
  expect(report.sent + report.ambiguous).toBe(200);
  // Every delivered message is accounted for by a sent or an ambiguous row.
  expect(report.distinctAtSink).toBe(report.sent + report.ambiguousDelivered);
  expect(report.kills).toBeGreaterThanOrEqual(3);
});
