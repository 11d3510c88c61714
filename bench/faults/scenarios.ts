// Fault-injection scenarios (issue 10), shared by `npx tsx bench/faults.ts` and
// test/faults/faults.test.ts. Each scenario runs the real engine: the worker as its own process
// (`node bin/outreach.js worker`), the real Temporal dev server, a real database and a real SMTP
// sink; it injects one kind of fault while sends are due and then checks the invariant:
//
//   every due email is delivered exactly once or its ledger row is marked ambiguous; nothing lost.
//
// Concretely: no Message-ID arrives twice at the sink, every "sent" ledger row's message is at the
// sink, and every send step (customers x send steps) ends with a ledger row that is "sent" or
// "ambiguous" (none still sending/retry/deferred, none missing).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDb, tuneSqlite, type Db } from '../../activities/db/client';
import { migrateDatabase } from '../../activities/db/migrate';
import { MailCatcher, type CaughtMessage } from '../../client/mail-catcher/mail-catcher';
import type { SequenceDefinition } from '../../domain/sequence/types';
import { sequenceWorkflow } from '../../workflows/sequence/workflow';
import { startDevServer } from '../../worker/support/dev-server';
import { clientConnectionOptions } from '../../worker/temporal-connection';
import { freePort, initCluster } from '../../test/support/postgres';

const ROOT = path.resolve(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The always-open account calendar (as bench/e2e.ts): sends are due at once. */
export const OPEN_CALENDAR: Record<string, string> = {
  SEND_WINDOWS: '00:00-24:00',
  WORKING_DAYS: '1,2,3,4,5,6,7',
  DEFAULT_TIME_ZONE: 'UTC',
  SPREAD_SENDS: 'false',
  LOG_LEVEL: 'warn',
};

/** Sends with short waits between them, so sends are due before, during and after a fault. */
export function sendsWithWaits(id: string, sends: number, waitSeconds: number): SequenceDefinition {
  const steps: SequenceDefinition['steps'] = [];
  for (let i = 1; i <= sends; i++) {
    if (i > 1) steps.push({ id: `pause-${i - 1}`, type: 'wait', duration: { seconds: waitSeconds } });
    steps.push({ id: `send-${i}`, type: 'send', template: i === 1 ? 'onboarding-welcome' : 'onboarding-tips-1', category: 'transactional', ...(i === 1 ? { at: 'now' as const } : {}) });
  }
  return { id, version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' }, steps };
}

export interface FaultSummary {
  scenario: string;
  /** What was injected, in order, with the moment (seconds from the scenario's start). */
  injections: string[];
  /** Other observations (worker restarts, reconnects, recovery time). */
  notes: string[];
  due: number;
  /** Messages at the sink, all copies counted. */
  delivered: number;
  distinct: number;
  duplicates: number;
  sent: number;
  ambiguous: number;
  /** Ambiguous rows whose message did reach the sink. */
  ambiguousDelivered: number;
  /** Rows in a final state other than sent/ambiguous (failed, suppressed): a violation here. */
  other: number;
  /** Steps without a final ledger row (no row, or sending/retry/deferred). */
  pending: number;
  /** "sent" rows whose Message-ID is not at the sink. */
  sentMissing: number;
  /** Messages at the sink whose Message-ID has no sent/ambiguous row. */
  unknownAtSink: number;
  seconds: number;
  ok: boolean;
  /** Precise description of each violation (which email, what the ledger said). */
  violations: string[];
}

export function formatSummary(s: FaultSummary): string {
  return [
    `[${s.scenario}] ${s.ok ? 'OK' : 'VIOLATED'} in ${s.seconds.toFixed(1)} s`,
    `  injected: ${s.injections.join('; ') || 'nothing'}`,
    ...s.notes.map((n) => `  observed: ${n}`),
    `  emails due ${s.due}, delivered ${s.delivered}, distinct Message-IDs ${s.distinct}, duplicates ${s.duplicates}`,
    `  ledger: ${s.sent} sent, ${s.ambiguous} ambiguous (${s.ambiguousDelivered} of them reached the sink), ${s.other} other, ${s.pending} still pending`,
    `  "sent" rows missing at the sink ${s.sentMissing}, messages at the sink without a ledger row ${s.unknownAtSink}`,
    ...s.violations.slice(0, 20).map((v) => `  VIOLATION: ${v}`),
  ].join('\n');
}

// freePort and the cluster set-up come from the test support, shared with the jest setup.
export { freePort };

// ---------------------------------------------------------------------------------------------
// An SMTP sink that can go away and come back on the same port, keeping every message it caught.

export class RestartableSink {
  private current?: MailCatcher;
  private readonly earlier: CaughtMessage[] = [];
  port = 0;

  async start(): Promise<number> {
    this.current = new MailCatcher();
    this.port = await this.current.listen(this.port);
    return this.port;
  }

  get messages(): CaughtMessage[] {
    return [...this.earlier, ...(this.current?.messages ?? [])];
  }

  get up(): boolean {
    return this.current !== undefined;
  }

  /** Stops listening and drops open (pooled) client connections, so the outage is real at once. */
  async stop(): Promise<void> {
    const c = this.current;
    if (!c) return;
    this.current = undefined;
    this.earlier.push(...c.messages);
    const closed = c.close();
    // smtp-server waits for open connections (up to its closeTimeout); the worker's pooled SMTP
    // connections would keep delivering. Drop them: a connection cut mid-DATA is a real fault too.
    const server = (c as unknown as { server: { connections?: Set<{ _socket?: net.Socket; close?: () => void }> } }).server;
    for (const conn of server.connections ?? []) {
      try {
        conn._socket?.destroy();
      } catch {
        /* already gone */
      }
    }
    await closed;
  }
}

// ---------------------------------------------------------------------------------------------
// A PostgreSQL server that can be restarted on the same data directory and port.

export interface RestartablePostgres {
  url: string;
  restart(): void;
  stop(): void;
}

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const { bin, dir, dataDir, port, exec } = await initCluster('outreach-faults-pg-',
    'PostgreSQL server binaries not found under /usr/lib/postgresql (Debian: apt-get install postgresql)');
  const pgCtl = path.join(bin, 'pg_ctl');
  // Options in the data directory's config, so `pg_ctl restart` keeps the same port and socket dir.
  fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), [
    `port = ${port}`, `unix_socket_directories = '${dir}'`, `listen_addresses = '127.0.0.1'`,
    'fsync = off', 'synchronous_commit = off', 'full_page_writes = off', 'max_connections = 200', '',
  ].join('\n'));
  const log = path.join(dir, 'server.log');
  exec(pgCtl, ['-D', dataDir, '-l', log, '-w', '-t', '60', 'start']);
  return {
    url: `postgresql://outreach@127.0.0.1:${port}/postgres`,
    restart() {
      exec(pgCtl, ['-D', dataDir, '-l', log, '-m', 'fast', '-w', '-t', '60', 'restart']);
    },
    stop() {
      try {
        exec(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } catch {
        /* not running */
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The worker as a child process.

export class WorkerProcess {
  child?: ChildProcess;
  starts = 0;
  /** Exits nobody asked for (code/signal), e.g. the worker dying on a lost connection. */
  unexpectedExits: string[] = [];
  private expectingExit = false;
  readonly logFile: string;

  constructor(private readonly env: Record<string, string>) {
    this.logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-faults-')), 'worker.log');
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the worker and resolves once it polls its task queues. */
  async start(timeoutMs = 60_000): Promise<void> {
    const out = fs.openSync(this.logFile, 'a');
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'outreach.js'), 'worker'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', out, 'pipe'],
    });
    fs.closeSync(out);
    this.child = child;
    this.starts += 1;
    this.expectingExit = false;
    child.once('exit', (code, signal) => {
      if (!this.expectingExit) this.unexpectedExits.push(`code ${code}, signal ${signal}`);
    });
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`worker not ready within ${timeoutMs} ms; see ${this.logFile}`)), timeoutMs);
      child.stderr!.on('data', (chunk: Buffer) => {
        fs.appendFileSync(this.logFile, chunk);
        if (seen !== 'ready') {
          seen += chunk.toString();
          if (seen.includes('worker polling')) {
            seen = 'ready';
            clearTimeout(timer);
            resolve();
          }
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`worker exited before it was ready (code ${code}, signal ${signal}); see ${this.logFile}`));
      });
    });
  }

  /** What the worker logged: failed activity attempts (retried by Temporal) and lost Temporal connections. */
  logStats(): { activityFailures: number; temporalUnavailable: number; firstErrors: string[] } {
    const text = fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
    const lines = text.split('\n');
    const failures = lines.filter((l) => l.includes('"msg":"Activity failed"'));
    const kinds = new Map<string, number>();
    for (const l of failures) {
      const m = /"message":"((?:\\n)?[^"]{0,200})/.exec(l);
      const k = (m?.[1] ?? '?').replace(/\\n/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 90);
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    return {
      activityFailures: failures.length,
      temporalUnavailable: lines.filter((l) => l.includes('code: Unavailable')).length,
      firstErrors: [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, n]) => `${n}x ${k}`),
    };
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.expectingExit = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(t);
  }
}

// ---------------------------------------------------------------------------------------------
// The common run: database + sink + worker child + enrollments, a fault in the middle, the check.

export interface RunContext {
  db: Db;
  sink: RestartableSink;
  worker: WorkerProcess;
  temporalAddress: string;
  /** Seconds since the scenario started. */
  elapsed(): number;
  log(line: string): void;
  inject(what: string): void;
  note(what: string): void;
  /** Steps with a final ledger row (sent, ambiguous, failed, suppressed). */
  outcomes(): Promise<number>;
  due: number;
}

export interface RunOptions {
  scenario: string;
  databaseUrl: string;
  temporalAddress: string;
  /** Returns a client on the current Temporal server (it may change across a restart). */
  temporalClient: () => Promise<Client>;
  customers: number;
  sequence: SequenceDefinition;
  /** Injects the fault once the run is under way. */
  fault: (ctx: RunContext) => Promise<void>;
  /** Give up waiting for completion after this long (from the start). */
  deadlineMs: number;
  log?: (line: string) => void;
  workerEnv?: Record<string, string>;
}

const FINAL = ['sent', 'ambiguous', 'failed', 'suppressed'];

export async function runScenario(opts: RunOptions): Promise<FaultSummary> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const elapsed = () => (Date.now() - started) / 1000;
  const injections: string[] = [];
  const notes: string[] = [];
  const sink = new RestartableSink();
  const smtpPort = await sink.start();
  const db = createDb(opts.databaseUrl);
  if (opts.databaseUrl.startsWith('file:')) await tuneSqlite(db);
  const taskQueue = `faults-${opts.scenario}-${randomUUID().slice(0, 8)}`;
  const worker = new WorkerProcess({
    ...OPEN_CALENDAR,
    DATABASE_URL: opts.databaseUrl,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    OUTREACH_SECRET: `faults-secret-${randomUUID()}`,
    PUBLIC_BASE_URL: 'http://outreach.test',
    EMAIL_RATE_PER_SECOND: '50',
    ...opts.workerEnv,
  });
  const sendSteps = opts.sequence.steps.filter((s) => s.type === 'send').length;
  const due = opts.customers * sendSteps;
  const ctx: RunContext = {
    db, sink, worker, temporalAddress: opts.temporalAddress, elapsed, due,
    log: (l) => log(`[${opts.scenario} +${elapsed().toFixed(1)}s] ${l}`),
    inject: (w) => {
      injections.push(`${w} at +${elapsed().toFixed(1)} s`);
      log(`[${opts.scenario} +${elapsed().toFixed(1)}s] inject: ${w}`);
    },
    note: (w) => {
      notes.push(w);
      log(`[${opts.scenario} +${elapsed().toFixed(1)}s] ${w}`);
    },
    outcomes: () => db.sendLedger.count({ where: { status: { in: FINAL } } }),
  };
  const prefix = `${opts.scenario}-${randomUUID().slice(0, 6)}`;
  try {
    await worker.start();
    const client = await opts.temporalClient();
    for (let i = 0; i < opts.customers; i++) {
      const customerId = `${prefix}-c${i}`;
      const workflowId = `${prefix}-w${i}`;
      await db.customer.create({ data: { id: customerId, email: `${customerId}@example.com`, locale: 'en', consentMarketing: true } });
      await db.enrollment.create({ data: { workflowId, customerId, sequenceId: opts.sequence.id, sequenceVersion: opts.sequence.version, entryKey: workflowId } });
      await client.workflow.start(sequenceWorkflow, { workflowId, taskQueue, args: [{ definition: opts.sequence, customerId, entryKey: workflowId }] });
    }
    ctx.log(`${opts.customers} enrollments started, ${due} emails due`);

    await opts.fault(ctx);

    // Recovery: wait until every enrollment has ended (or the deadline). The database or the
    // worker may be unavailable for a moment: polls that fail are retried.
    const deadline = started + opts.deadlineMs;
    let ended = 0;
    let lastLog = 0;
    while (Date.now() < deadline) {
      try {
        ended = await db.enrollment.count({ where: { workflowId: { startsWith: prefix }, endedAt: { not: null } } });
        if (ended >= opts.customers) break;
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          ctx.log(`waiting: ${ended}/${opts.customers} enrollments ended, ${await ctx.outcomes()}/${due} sends with an outcome, ${sink.messages.length} at the sink`);
        }
      } catch (err) {
        ctx.log(`poll failed: ${String((err as Error).message).trim().split('\n').pop() || (err as Error).name}`);
      }
      if (!worker.alive) {
        notes.push(`worker process exited unexpectedly (${worker.unexpectedExits.at(-1)}); restarted it`);
        ctx.log('worker died: restarting it');
        await worker.start().catch((err) => ctx.log(`restart failed: ${(err as Error).message}`));
      }
      await sleep(500);
    }
    if (ended < opts.customers) notes.push(`deadline (${opts.deadlineMs / 1000} s) passed with ${ended}/${opts.customers} enrollments ended`);
    // A last moment for a "sent" row written just after its enrollment ended (never the case today).
    await sleep(500);
    await worker.stop('SIGTERM');
    if (worker.starts > 1) notes.push(`worker started ${worker.starts} times`);
    const stats = worker.logStats();
    if (stats.activityFailures) notes.push(`worker log: ${stats.activityFailures} failed activity attempts, retried by Temporal (${stats.firstErrors.join('; ')})`);
    if (stats.temporalUnavailable) notes.push(`worker log: ${stats.temporalUnavailable} "Unavailable" warnings while Temporal was unreachable`);
    return await check(opts.scenario, db, sink, prefix, due, injections, notes, elapsed());
  } finally {
    await worker.stop('SIGKILL');
    if (sink.up) await sink.stop();
    await db.$disconnect();
  }
}

async function check(scenario: string, db: Db, sink: RestartableSink, prefix: string, due: number, injections: string[], notes: string[], seconds: number): Promise<FaultSummary> {
  const enrollments = await db.enrollment.findMany({ where: { workflowId: { startsWith: prefix } }, select: { workflowId: true, customerId: true } });
  const customers = new Set(enrollments.map((e) => e.customerId));
  const rows = await db.sendLedger.findMany({ select: { key: true, status: true, messageId: true, customerId: true, error: true, attempts: true } });
  const mine = rows.filter((r) => customers.has(r.customerId));
  const retried = mine.filter((r) => r.attempts > 1);
  if (retried.length) notes.push(`${retried.length} sends took more than one SMTP attempt (at most ${Math.max(...retried.map((r) => r.attempts))})`);
  const atSink = new Map<string, number>();
  for (const m of sink.messages) atSink.set(m.parsed.messageId ?? '', (atSink.get(m.parsed.messageId ?? '') ?? 0) + 1);
  const violations: string[] = [];
  const byMessageId = new Map(mine.map((r) => [r.messageId, r]));
  for (const [id, n] of atSink) {
    if (n > 1) {
      const r = byMessageId.get(id);
      violations.push(`duplicate: ${id} arrived ${n} times (ledger ${r ? `${r.key}: ${r.status}` : 'has no row'})`);
    }
  }
  const sentRows = mine.filter((r) => r.status === 'sent');
  const ambiguousRows = mine.filter((r) => r.status === 'ambiguous');
  const finalOther = mine.filter((r) => r.status === 'failed' || r.status === 'suppressed');
  const notFinal = mine.filter((r) => !FINAL.includes(r.status));
  for (const r of sentRows) if (!atSink.has(r.messageId)) violations.push(`lost: ledger ${r.key} says sent (${r.messageId}) but the sink never got it`);
  for (const r of finalOther) violations.push(`ledger ${r.key}: ${r.status} (${r.error ?? 'no reason'})`);
  for (const r of notFinal) violations.push(`pending: ledger ${r.key}: ${r.status} (${r.error ?? 'no reason'})`);
  const missingRows = due - mine.length;
  if (missingRows > 0) violations.push(`${missingRows} send step(s) have no ledger row at all`);
  const known = new Set([...sentRows, ...ambiguousRows].map((r) => r.messageId));
  const unknownAtSink = [...atSink.keys()].filter((id) => !known.has(id));
  for (const id of unknownAtSink) violations.push(`message ${id} at the sink has no sent/ambiguous ledger row (${byMessageId.get(id)?.status ?? 'no row'})`);
  const duplicates = [...atSink.values()].reduce((n, c) => n + c - 1, 0);
  return {
    scenario, injections, notes, due,
    delivered: sink.messages.length,
    distinct: atSink.size,
    duplicates,
    sent: sentRows.length,
    ambiguous: ambiguousRows.length,
    ambiguousDelivered: ambiguousRows.filter((r) => atSink.has(r.messageId)).length,
    other: finalOther.length,
    pending: notFinal.length + Math.max(0, missingRows),
    sentMissing: sentRows.filter((r) => !atSink.has(r.messageId)).length,
    unknownAtSink: unknownAtSink.length,
    seconds,
    ok: violations.length === 0 && sentRows.length + ambiguousRows.length === due,
    violations,
  };
}

/** Waits until at least `n` emails reached the sink (or `timeoutMs`). */
async function untilDelivered(ctx: RunContext, n: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (ctx.sink.messages.length < n && Date.now() < deadline) await sleep(100);
}

// ---------------------------------------------------------------------------------------------
// The scenarios.

export interface SmtpOutageOptions {
  temporalAddress: string;
  customers?: number;
  outageSeconds?: number;
  log?: (line: string) => void;
}

/** SMTP outage: the sink goes away while sends are due, and comes back on the same port. */
export async function smtpOutage(opts: SmtpOutageOptions): Promise<FaultSummary> {
  const customers = opts.customers ?? 50;
  const outage = opts.outageSeconds ?? 60;
  const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-faults-db-'));
  const databaseUrl = `file:${path.join(dbDir, 'faults.db')}`;
  await migrateDatabase(databaseUrl, { quiet: true });
  const connection = await Connection.connect({ address: opts.temporalAddress, ...clientConnectionOptions() });
  try {
    return await runScenario({
      scenario: 'smtp-outage',
      databaseUrl,
      temporalAddress: opts.temporalAddress,
      temporalClient: async () => new Client({ connection }),
      customers,
      sequence: sendsWithWaits('faults-smtp', 3, 2),
      // Retries back off 2 s, 4 s, 8 s ... up to 10 minutes: after an outage of T seconds the last
      // retry lands by about 2T after the outage began.
      deadlineMs: (outage * 3 + 120) * 1000,
      log: opts.log,
      fault: async (ctx) => {
        await untilDelivered(ctx, Math.ceil(ctx.due / 6));
        const before = ctx.sink.messages.length;
        await ctx.sink.stop();
        ctx.inject(`SMTP sink closed for ${outage} s with ${before}/${ctx.due} delivered`);
        await sleep(outage * 1000);
        const reopenedAt = Date.now();
        await ctx.sink.start();
        ctx.inject(`SMTP sink reopened on the same port (${ctx.sink.port})`);
        await untilDelivered(ctx, ctx.due, (outage * 2 + 120) * 1000);
        ctx.note(`${ctx.sink.messages.length - before} emails delivered after the outage; all due emails at the sink ${((Date.now() - reopenedAt) / 1000).toFixed(1)} s after it reopened`);
      },
    });
  } finally {
    await connection.close();
    fs.rmSync(dbDir, { recursive: true, force: true });
  }
}

export interface TemporalRestartOptions {
  temporalExecutable: string;
  customers?: number;
  downSeconds?: number;
  log?: (line: string) => void;
}

/** Temporal restart: a SQLite-backed dev server on a fixed port is stopped mid-run and started again. */
export async function temporalRestart(opts: TemporalRestartOptions): Promise<FaultSummary> {
  const customers = opts.customers ?? 50;
  const down = opts.downSeconds ?? 5;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-faults-temporal-'));
  const dbFilename = path.join(dir, 'temporal.db');
  const port = await freePort();
  const databaseUrl = `file:${path.join(dir, 'faults.db')}`;
  await migrateDatabase(databaseUrl, { quiet: true });
  let env: TestWorkflowEnvironment | undefined = await startDevServer({ executable: opts.temporalExecutable, port, dbFilename });
  try {
    return await runScenario({
      scenario: 'temporal-restart',
      databaseUrl,
      temporalAddress: env.address,
      temporalClient: async () => env!.client,
      customers,
      sequence: sendsWithWaits('faults-temporal', 3, 3),
      deadlineMs: 240_000,
      log: opts.log,
      fault: async (ctx) => {
        await untilDelivered(ctx, Math.ceil(ctx.due / 4));
        const before = ctx.sink.messages.length;
        await env!.teardown();
        env = undefined;
        ctx.inject(`Temporal dev server stopped with ${before}/${ctx.due} delivered`);
        await sleep(down * 1000);
        const duringDown = ctx.sink.messages.length - before;
        env = await startDevServer({ executable: opts.temporalExecutable, port, dbFilename });
        ctx.inject(`Temporal dev server started again on port ${port} with the same SQLite file after ${down} s down`);
        ctx.note(`${duringDown} emails reached the sink while Temporal was down (activities already running finish; their completions are retried)`);
        // Did the worker reconnect? Progress after the restart with the same worker process says so.
        const restartedAt = Date.now();
        const at = ctx.sink.messages.length;
        while (Date.now() - restartedAt < 60_000 && ctx.sink.messages.length === at && ctx.sink.messages.length < ctx.due && ctx.worker.alive) await sleep(200);
        if (!ctx.worker.alive) ctx.note(`the worker process died on the lost connection (${ctx.worker.unexpectedExits.at(-1)})`);
        else if (ctx.sink.messages.length > at) ctx.note(`the same worker process (start #${ctx.worker.starts}) reconnected: next email ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the restart`);
        else ctx.note('no email in the 60 s after the restart');
      },
    });
  } finally {
    if (env) await env.teardown().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface PostgresRestartOptions {
  temporalAddress: string;
  customers?: number;
  log?: (line: string) => void;
}

/** PostgreSQL restart: `pg_ctl restart -m fast` while sends are under way. */
export async function postgresRestart(opts: PostgresRestartOptions): Promise<FaultSummary> {
  const customers = opts.customers ?? 50;
  const pg = await startRestartablePostgres();
  const connection = await Connection.connect({ address: opts.temporalAddress, ...clientConnectionOptions() });
  try {
    await migrateDatabase(pg.url, { quiet: true });
    return await runScenario({
      scenario: 'postgres-restart',
      databaseUrl: pg.url,
      temporalAddress: opts.temporalAddress,
      temporalClient: async () => new Client({ connection }),
      customers,
      sequence: sendsWithWaits('faults-pg', 3, 3),
      deadlineMs: 240_000,
      log: opts.log,
      fault: async (ctx) => {
        await untilDelivered(ctx, Math.ceil(ctx.due / 4));
        const before = ctx.sink.messages.length;
        const t0 = Date.now();
        pg.restart();
        ctx.inject(`PostgreSQL restarted (pg_ctl restart -m fast, ${((Date.now() - t0) / 1000).toFixed(1)} s) with ${before}/${ctx.due} delivered`);
      },
    });
  } finally {
    await connection.close();
    pg.stop();
  }
}

export interface WorkerKillOptions {
  sends?: number;
  maxKills?: number;
  /** EMAIL_RATE_PER_SECOND of the worker (CRASH_RATE): slower sends leave room for more kills. */
  rate?: number;
  log?: (line: string) => void;
}

/**
 * Worker kill: bench/crash.ts as a child process (SIGKILL the worker at random moments during the
 * sends, restart it), its printed report parsed into a summary.
 */
export async function workerKill(opts: WorkerKillOptions = {}): Promise<FaultSummary> {
  const started = Date.now();
  const sends = opts.sends ?? 100;
  const maxKills = opts.maxKills ?? 8;
  const log = opts.log ?? (() => undefined);
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'bench', 'crash.ts')], {
    cwd: ROOT,
    env: { ...process.env, CRASH_SENDS: String(sends), CRASH_MAX_KILLS: String(maxKills), CRASH_RATE: String(opts.rate ?? 5) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    for (const line of c.toString().split('\n')) if (line.trim()) log(`[worker-kill] ${line}`);
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const num = (re: RegExp) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : NaN;
  };
  const steps = num(/crash test: (\d+) steps/);
  const kills = num(/(\d+) SIGKILLs/);
  const starts = num(/(\d+) worker starts/);
  const sent = num(/ledger: (\d+) sent/);
  const ambiguous = num(/(\d+) ambiguous/);
  const ambiguousDelivered = num(/\((\d+) of them reached the sink\)/);
  const other = num(/(\d+) other/);
  const unfinished = num(/(\d+) without an outcome/);
  const distinct = num(/(\d+) distinct Message-IDs/);
  const duplicates = num(/(\d+) duplicates/);
  const sentMissing = num(/(\d+) "sent" rows missing/);
  const parsed = ![steps, sent, ambiguous, distinct, duplicates, sentMissing, unfinished].some(Number.isNaN);
  const violations: string[] = [];
  if (!parsed) violations.push(`bench/crash.ts exited ${code} without a parsable report; its output ends: ${out.trim().split('\n').slice(-5).join(' | ')}`);
  else {
    if (duplicates > 0) violations.push(`${duplicates} duplicate deliveries`);
    if (sentMissing > 0) violations.push(`${sentMissing} "sent" rows missing at the sink`);
    if (unfinished > 0) violations.push(`${unfinished} steps without an outcome`);
    if (other > 0) violations.push(`${other} rows neither sent nor ambiguous`);
    if (code !== 0) violations.push(`bench/crash.ts exited ${code}`);
  }
  return {
    scenario: 'worker-kill',
    injections: parsed ? [`${kills} SIGKILLs of the worker process at random moments (bench/crash.ts), ${starts} worker starts`] : ['bench/crash.ts (did not report)'],
    notes: [`ran bench/crash.ts as a child process: one transactional email per customer, worker alive 0.5-4 s between kills, EMAIL_RATE_PER_SECOND ${opts.rate ?? 5}`],
    due: steps || sends,
    delivered: parsed ? distinct + duplicates : 0,
    distinct: distinct || 0,
    duplicates: duplicates || 0,
    sent: sent || 0,
    ambiguous: ambiguous || 0,
    ambiguousDelivered: ambiguousDelivered || 0,
    other: other || 0,
    pending: parsed ? unfinished : sends,
    sentMissing: sentMissing || 0,
    unknownAtSink: 0,
    seconds: (Date.now() - started) / 1000,
    ok: parsed && violations.length === 0 && sent + ambiguous === steps,
    violations,
  };
}
