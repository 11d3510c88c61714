// Crash test of the send path: the worker runs as its own process (`node bin/outreach.js worker`)
// and is killed with SIGKILL at random moments while it sends, then started again, until every
// step has an outcome. Afterwards every step must have been delivered exactly once or be marked
// ambiguous: no duplicates at the SMTP sink, no lost "sent" rows.
//   npx tsx bench/crash.ts       (CRASH_SENDS=200, CRASH_MAX_KILLS=10, CRASH_RATE=10 emails/s by default)
// The reusable part, runCrashScenario, is what test/delivery/crash.test.ts runs; fault tests can
// pass their own sequence, sink behaviour and kill schedule.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '../test/support/stack';
import type { SequenceDefinition } from '../domain/sequence/types';
import { fmt, machine, withDevServer } from './support';

const ROOT = path.resolve(__dirname, '..');

export interface CrashOptions {
  /** Customers, each enrolled once in `sequence` (default: one transactional email each). */
  customers?: number;
  sequence?: SequenceDefinition;
  /** How long a worker lives after it is ready before it is killed: uniform in [min, max] ms. */
  aliveMs?: [number, number];
  /** Stop killing after this many kills; the last worker then runs until everything is done. */
  maxKills?: number;
  /** Give up (and report what is missing) after this long. */
  deadlineMs?: number;
  /** Kill only during this long from the start (default 60 % of the deadline); the rest is recovery's. */
  killWindowMs?: number;
  /** Extra environment for the worker process (e.g. EMAIL_RATE_PER_SECOND). */
  workerEnv?: Record<string, string>;
  /** Called with progress lines. */
  log?: (line: string) => void;
  /** Seeded randomness for kill moments (default Math.random). */
  random?: () => number;
}

export interface CrashReport {
  /** Steps that had to send (customers × send steps). */
  steps: number;
  /** Ledger rows by status. */
  sent: number;
  ambiguous: number;
  other: number;
  /** Ambiguous rows whose message did reach the sink (the provider got it; the ledger could not know). */
  ambiguousDelivered: number;
  /** Distinct Message-IDs at the sink, and extra copies of any of them (must be 0). */
  distinctAtSink: number;
  duplicates: number;
  /** "sent" rows whose message is not at the sink (must be 0). */
  sentMissing: number;
  /** Enrollments without a ledger row for a step, when the deadline passed (must be 0). */
  unfinished: number;
  kills: number;
  workerStarts: number;
  seconds: number;
}

export const ONE_SEND: SequenceDefinition = {
  id: 'crash-one', version: 1,
  trigger: { event: 'crash' },
  entry: { mode: 'oncePerCustomer' },
  steps: [{ id: 'hello', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' }],
};

function startWorker(stack: Stack, env: Record<string, string>, logFile: string): { child: ChildProcess; ready: Promise<void> } {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'outreach.js'), 'worker'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: stack.config.database.url,
      SMTP_URL: stack.config.smtp.url,
      TEMPORAL_ADDRESS: stack.config.temporal.address,
      TEMPORAL_NAMESPACE: stack.config.temporal.namespace,
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      OUTREACH_SECRET: stack.config.secret,
      PUBLIC_BASE_URL: stack.config.api.publicBaseUrl,
      MAIL_FROM: stack.config.smtp.from,
      ...env,
    },
    stdio: ['ignore', out, 'pipe'],
  });
  fs.closeSync(out);
  const ready = new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      fs.appendFileSync(logFile, chunk);
      if (seen !== 'ready') {
        seen += chunk.toString();
        if (seen.includes('worker polling')) {
          seen = 'ready';
          resolve();
        }
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited before it was ready (code ${code}, signal ${signal}); see ${logFile}`)));
  });
  ready.catch(() => undefined);
  return { child, ready };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends `signal` and waits for the exit; a process that has not exited after 15 s is SIGKILLed. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Runs the scenario against the Temporal server at TEMPORAL_TEST_ADDRESS; see the header. */
export async function runCrashScenario(opts: CrashOptions = {}): Promise<CrashReport> {
  const customers = opts.customers ?? 200;
  const sequence = opts.sequence ?? ONE_SEND;
  const sendSteps = sequence.steps.filter((s) => s.type === 'send').length;
  const [aliveMin, aliveMax] = opts.aliveMs ?? [500, 4000];
  const maxKills = opts.maxKills ?? 10;
  const deadlineMs = opts.deadlineMs ?? 150_000;
  const deadline = Date.now() + deadlineMs;
  // Kills stop early enough to leave the recovery worker time to finish.
  const killsUntil = Date.now() + (opts.killWindowMs ?? deadlineMs * 0.6);
  const random = opts.random ?? Math.random;
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-crash-')), 'worker.log');

  const stack = await startStack({ sequences: [sequence], worker: false });
  let child: ChildProcess | undefined;
  let kills = 0;
  let workerStarts = 0;
  try {
    for (let i = 0; i < customers; i += 100) {
      const batch = [];
      for (let j = i; j < Math.min(customers, i + 100); j++) {
        await stack.db.customer.create({ data: { id: `c${j}`, email: `c${j}@example.com`, locale: 'en', consentMarketing: true } });
        batch.push({ id: `crash-${j}`, customerId: `c${j}`, name: sequence.trigger.event, occurredAt: new Date().toISOString() });
      }
      const r = await stack.call('POST', '/v1/events', { events: batch });
      if (r.status !== 202) throw new Error(`posting events failed: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    }
    const steps = customers * sendSteps;
    const outcomes = () => stack.db.sendLedger.count({ where: { status: { in: ['sent', 'ambiguous', 'failed', 'suppressed'] } } });
    const finished = () => stack.db.enrollment.count({ where: { endedAt: { not: null } } });

    // Kill phase: start, let it work for a random moment, SIGKILL, again.
    while (kills < maxKills && Date.now() < killsUntil) {
      const w = startWorker(stack, opts.workerEnv ?? {}, logFile);
      child = w.child;
      workerStarts += 1;
      await w.ready;
      const alive = aliveMin + random() * (aliveMax - aliveMin);
      await sleep(alive);
      const before = await outcomes();
      await stopChild(child, 'SIGKILL');
      kills += 1;
      log(`kill ${kills} after ${fmt(alive)} ms alive: ${before}/${steps} steps with an outcome, ${stack.sink.messages.length} messages at the sink`);
      if (before >= steps) break;
    }

    // Recovery: one last worker runs until every enrollment has finished.
    const w = startWorker(stack, opts.workerEnv ?? {}, logFile);
    child = w.child;
    workerStarts += 1;
    await w.ready;
    while (Date.now() < deadline && (await finished()) < customers) await sleep(250);
    await stopChild(child, 'SIGTERM');
    child = undefined;

    const rows = await stack.db.sendLedger.findMany({ select: { status: true, messageId: true } });
    const atSink = new Map<string, number>();
    for (const m of stack.sink.messages) atSink.set(m.parsed.messageId ?? '', (atSink.get(m.parsed.messageId ?? '') ?? 0) + 1);
    const sentRows = rows.filter((r) => r.status === 'sent');
    const ambiguousRows = rows.filter((r) => r.status === 'ambiguous');
    const report: CrashReport = {
      steps,
      sent: sentRows.length,
      ambiguous: ambiguousRows.length,
      other: rows.length - sentRows.length - ambiguousRows.length,
      ambiguousDelivered: ambiguousRows.filter((r) => atSink.has(r.messageId)).length,
      distinctAtSink: atSink.size,
      duplicates: [...atSink.values()].reduce((n, c) => n + c - 1, 0),
      sentMissing: sentRows.filter((r) => !atSink.has(r.messageId)).length,
      unfinished: steps - rows.length,
      kills,
      workerStarts,
      seconds: (Date.now() - started) / 1000,
    };
    log(`worker log: ${logFile}`);
    return report;
  } finally {
    if (child) await stopChild(child, 'SIGKILL');
    await stack.stop();
  }
}

export function describeReport(r: CrashReport): string {
  return [
    `crash test: ${r.steps} steps, ${r.kills} SIGKILLs, ${r.workerStarts} worker starts, ${fmt(r.seconds, 1)} s`,
    `  ledger: ${r.sent} sent, ${r.ambiguous} ambiguous (${r.ambiguousDelivered} of them reached the sink), ${r.other} other, ${r.unfinished} without an outcome`,
    `  sink:   ${r.distinctAtSink} distinct Message-IDs, ${r.duplicates} duplicates, ${r.sentMissing} "sent" rows missing`,
  ].join('\n');
}

async function main() {
  console.log(`crash benchmark on ${machine()}`);
  await withDevServer(async () => {
    const report = await runCrashScenario({
      customers: Number(process.env.CRASH_SENDS ?? 200),
      maxKills: Number(process.env.CRASH_MAX_KILLS ?? 10),
      workerEnv: { EMAIL_RATE_PER_SECOND: process.env.CRASH_RATE ?? '10' },
      log: (l) => console.log(l),
    });
    console.log(describeReport(report));
    const ok = report.duplicates === 0 && report.sentMissing === 0 && report.unfinished === 0 && report.sent + report.ambiguous === report.steps;
    console.log(ok ? 'every step delivered exactly once or marked ambiguous' : 'FAILED: see the counts above');
    process.exitCode = ok ? 0 : 1;
  });
}

if (require.main === module) void main();
