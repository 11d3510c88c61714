// EXPLAIN for every query the dashboard, the ops API, reports and the event dispatch path make, on
// PostgreSQL at scale: a throwaway server, the committed migrations, 1,000,000 events (0.5 % still
// queued in the outbox: a dispatch backlog), 100,000 customers, 250,000 enrollments, 1,000,000
// send-ledger rows over 120 days and 150,000 survey responses, then ANALYZE.
//
// Each query is the SQL Prisma sends: the real function is called where it needs only the database
// (OpsStats.sends, ledgerOf, surveyReport, eventStatus, listLedger, ...), otherwise its Prisma call is
// repeated verbatim from the source file named in the table; the statements are captured with
// Prisma's query log and run again as `EXPLAIN (ANALYZE, BUFFERS)` with the same parameters (a warm-up
// first, the second run is printed). Writes are captured in a rolled-back transaction and explained
// inside BEGIN ... ROLLBACK, so the data never changes. For the send-ledger queries whose index this
// change added, the same statement is also explained with the previous indexes (dropped and recreated
// inside a rolled-back transaction): "before"; and the run page's ledger query with the linguistic
// collation most production databases have.
//
//   npx tsx bench/explain.ts            # EXPLAIN_POSTGRES_URL=postgresql://... to use a running server
//   (with EXPLAIN_POSTGRES_URL, EXPLAIN_REUSE=1 keeps the filled database "outreach_explain" for the next run)
//
// Benchmarks print figures; they never assert.
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as PostgresClient } from '../generated/prisma/postgresql/client';
import type { Db } from '../activities/db/client';
import { migrateDatabase } from '../activities/db/migrate';
import { initCluster } from '../worker/support/postgres';
import { OpsStats, PROBLEM_STATUSES } from '../client/dashboard/stats';
import { ledgerOf } from '../client/dashboard/runs';
import { parseReportQuery, surveyReport } from '../client/api/surveys-report';
import { eventStatus } from '../client/api/ingest';
import { listEnrollments } from '../client/api/customers';
import { listLedger } from '../activities/send/ledger';
import { IN_FLIGHT_STATUSES } from '../activities/send/frequency-cap';
import { INBOX_CAP } from '../domain/sequence/machine';
import { fmt, machine } from './support';

const EVENTS = 1_000_000;
const PENDING = 5_000;
const CUSTOMERS = 100_000;
const ENROLLMENTS = 250_000;
const LEDGER = 1_000_000;
const SURVEYS = 150_000;
const DAYS = 120;

interface Server {
  adminUrl: string;
  stop(): void;
}

async function startServer(): Promise<Server> {
  if (process.env.EXPLAIN_POSTGRES_URL) return { adminUrl: process.env.EXPLAIN_POSTGRES_URL, stop: () => undefined };
  const { bin, dir, dataDir, port, exec } = await initCluster('outreach-explain-',
    'PostgreSQL server binaries not found under /usr/lib/postgresql: install them (Debian: apt-get install postgresql) or set EXPLAIN_POSTGRES_URL');
  // Stock planner settings. Durability is off (a throwaway server), the WAL may grow during the load, and
  // the buffer cache is 256 MB (the default 128 MB is smaller than the send ledger alone).
  exec(path.join(bin, 'pg_ctl'), [
    '-D', dataDir, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start',
    '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB -c timezone=UTC -c shared_buffers=256MB`,
  ]);
  return {
    adminUrl: `postgresql://outreach@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        exec(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function withDatabase(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The data set, in bulk SQL; deterministic (setseed) and relative to now. */
const FILL: Array<[string, string]> = [
  ['customers', `
    INSERT INTO "Customer" ("id", "email", "givenName", "locale", "timeZone", "country", "consentMarketing", "attributes", "createdAt", "updatedAt")
    SELECT 'cust-' || i, 'user' || i || '@example.com', 'Name' || i,
           (ARRAY['en','de','fr','pt-BR','es','ja','nl','it'])[1 + i % 8],
           (ARRAY['Europe/Berlin','America/New_York','Asia/Tokyo',NULL])[1 + i % 4],
           (ARRAY['DE','US','FR','BR','ES','JP','NL','IT','GB',NULL])[1 + i % 10],
           i % 5 <> 0, '{"plan":"pro","segment":"b2c"}',
           now() - interval '${DAYS + 60} days' * (1 - i::float / ${CUSTOMERS}), now()
    FROM generate_series(1, ${CUSTOMERS}) i`],
  // Events over ${DAYS} days in arrival order, customers skewed (a few very active ones); the newest
  // ${PENDING} are still queued (no dispatchedAt, an outbox row each), a few were set aside.
  ['events', `
    INSERT INTO "Event" ("id", "idempotencyKey", "customerId", "name", "occurredAt", "properties", "receivedAt", "dispatchedAt", "ordinal", "dispatchError")
    SELECT 'ev' || lpad(i::text, 9, '0'), 'evt-' || i, 'cust-' || c, n, t,
           '{"amount": ' || (i % 500) || '.5, "orderId": "o-' || i || '", "currency": "EUR"}',
           t + interval '2 seconds',
           CASE WHEN i > ${EVENTS - PENDING} OR i % 50000 = 7 THEN NULL ELSE t + interval '3 seconds' END,
           CASE WHEN i > ${EVENTS - PENDING} OR i % 50000 = 7 THEN NULL ELSE row_number() OVER (PARTITION BY c, n ORDER BY i) END,
           CASE WHEN i % 50000 = 7 THEN 'sequence "x" failed validation' END
    FROM (
      SELECT i, 1 + floor(power(random(), 1.5) * ${CUSTOMERS})::int AS c,
             (ARRAY['purchase','purchase','page_view','page_view','page_view','signup','cart_abandoned','order_shipped','login','login'])[1 + floor(random() * 10)::int] AS n,
             now() - interval '${DAYS} days' * (1 - i::float / ${EVENTS}) AS t
      FROM generate_series(1, ${EVENTS}) i
    ) s`],
  ['outbox', `
    INSERT INTO "EventOutbox" ("eventId", "customerId", "createdAt", "attempts", "nextAttemptAt", "lastError")
    SELECT "id", "customerId", "receivedAt", CASE WHEN r < 0.1 THEN 3 ELSE 0 END,
           CASE WHEN r < 0.1 THEN now() + interval '30 seconds' ELSE "receivedAt" END,
           CASE WHEN r < 0.1 THEN '14 UNAVAILABLE: connection refused' END
    FROM (SELECT *, random() AS r FROM "Event" WHERE "dispatchedAt" IS NULL AND "dispatchError" IS NULL) e
    ORDER BY e."receivedAt"`],
  ['leases', `
    INSERT INTO "DispatchLease" ("customerId", "holder", "until")
    SELECT DISTINCT "customerId", 'api-1', now() + interval '20 seconds' FROM "EventOutbox" LIMIT 20`],
  // Three sequences, one enrollment each per customer; the last ten days' runs are still open.
  ['enrollments', `
    INSERT INTO "Enrollment" ("id", "workflowId", "customerId", "sequenceId", "sequenceVersion", "entryKey", "status", "currentStep", "startedAt", "endedAt", "triggerEventId", "listensTo", "generation")
    SELECT 'en' || lpad(i::text, 9, '0'), 'seq-' || md5('wf' || i), 'cust-' || (1 + (i - 1) % ${CUSTOMERS}),
           (ARRAY['welcome','post-purchase','winback'])[1 + (i - 1) / ${CUSTOMERS}], 1, 'once',
           CASE WHEN t > now() - interval '10 days' THEN (ARRAY['running','running','running','running','running','running','paused','starting'])[1 + floor(random() * 8)::int]
                ELSE (ARRAY['completed','completed','completed','completed','exited','exited','cancelled','holdout','failed'])[1 + floor(random() * 9)::int] END,
           's' || (1 + i % 4), t,
           CASE WHEN t > now() - interval '10 days' THEN NULL ELSE t + interval '9 days' END,
           'evt-' || (1 + floor(random() * ${EVENTS})::int), ',purchase,order_shipped,', 0
    FROM (SELECT i, now() - interval '${DAYS} days' * (1 - i::float / ${ENROLLMENTS}) AS t FROM generate_series(1, ${ENROLLMENTS}) i) s`],
  // Four emails per enrollment in creation order; every tenth enrollment's last one comes from its
  // survey child ("<run>-survey-s4"). Statuses: mostly sent; a few suppressed, failed, deferred,
  // retrying, ambiguous; in flight only in the last hour.
  ['send ledger', `
    INSERT INTO "SendLedger" ("id", "key", "workflowId", "stepId", "iteration", "customerId", "templateId", "locale", "category", "status", "messageId", "attempts", "error", "createdAt", "sentAt", "claimedAt", "retryAt", "request")
    SELECT 'sl' || lpad(j::text, 9, '0'), wf || '/s' || step || '/0', wf, 's' || step, 0, 'cust-' || (1 + (e - 1) % ${CUSTOMERS}),
           CASE WHEN survey THEN 'nps-survey' ELSE (ARRAY['welcome-1','welcome-2','welcome-3','receipt','shipping','review-ask','winback-1','winback-2','newsletter','birthday','loyalty-5','cart-reminder'])[1 + (e + step) % 12] END,
           (ARRAY['en','de','fr','pt-BR','es','ja','nl','it'])[1 + e % 8],
           CASE WHEN survey THEN 'survey' WHEN e % 10 < 6 THEN 'marketing' WHEN e % 10 < 9 THEN 'transactional' ELSE 'internal' END,
           st, '<' || md5(wf || step) || '@outreach.example>', CASE WHEN st IN ('sent','suppressed','deferred') THEN 1 ELSE 2 END,
           CASE st WHEN 'failed' THEN '550 5.1.1 mailbox unavailable' WHEN 'suppressed' THEN 'suppressed: unsubscribed' WHEN 'deferred' THEN 'frequency cap 3/7d'
                   WHEN 'retry' THEN '421 try again later' WHEN 'ambiguous' THEN 'attempt died without an SMTP outcome' END,
           t, CASE WHEN st = 'sent' THEN t + interval '2 seconds' END,
           CASE WHEN st IN ('sent','failed','retry','ambiguous','sending') THEN t + interval '1 second' END,
           CASE WHEN st = 'deferred' THEN t + interval '2 days' END,
           CASE WHEN st IN ('sending','retry','ambiguous','deferred') THEN '{"workflowId":"' || wf || '","template":"x","data":{"firstName":"Ada","orderId":"o-1","items":[1,2,3]},"links":{"unsubscribe":"https://example.com/u/' || md5(wf) || '"}}' END
    FROM (
      SELECT j, e, step, t, survey,
             CASE WHEN survey THEN 'seq-' || md5('wf' || e) || '-survey-s4' ELSE 'seq-' || md5('wf' || e) END AS wf,
             CASE WHEN t > now() - interval '1 hour' AND r < 0.02 THEN 'sending'
                  WHEN r < 0.005 THEN 'failed' WHEN r < 0.02 THEN 'suppressed' WHEN r < 0.023 THEN 'deferred'
                  WHEN r < 0.0235 THEN 'ambiguous' WHEN r < 0.0245 THEN 'retry' ELSE 'sent' END AS st
      FROM (
        SELECT j, (j - 1) / 4 + 1 AS e, (j - 1) % 4 + 1 AS step, random() AS r,
               now() - interval '${DAYS} days' * (1 - j::float / ${LEDGER}) AS t,
               (j - 1) % 4 = 3 AND ((j - 1) / 4 + 1) % 10 = 0 AS survey
        FROM generate_series(1, ${LEDGER}) j
      ) a
    ) b`],
  ['survey responses', `
    INSERT INTO "SurveyResponse" ("id", "surveyId", "customerId", "kind", "score", "comment", "locale", "country", "sentAt", "answeredAt", "updatedAt", "sequenceId", "stepId", "template", "closesAt", "remindedAt")
    SELECT 'sr' || lpad(k::text, 9, '0'), 'sv-' || md5('s' || k), 'cust-' || (1 + floor(random() * ${CUSTOMERS})::int), kind,
           CASE WHEN answered THEN CASE kind WHEN 'nps' THEN floor(random() * 11)::int WHEN 'csat' THEN 1 + floor(random() * 5)::int ELSE 1 + floor(random() * 7)::int END END,
           CASE WHEN answered AND k % 7 = 0 THEN 'Quick delivery, thanks' END,
           (ARRAY['en','de','fr','pt-BR','es','ja','nl','it'])[1 + k % 8], (ARRAY['DE','US','FR','BR','ES','JP','NL','IT','GB',NULL])[1 + k % 10],
           t, CASE WHEN answered THEN t + interval '1 day' * random() * 2 END, t,
           CASE WHEN k % 3 = 0 THEN 'survey' ELSE 'post-purchase' END, CASE WHEN k % 3 = 0 THEN NULL ELSE 's4' END,
           kind || '-survey', t + interval '7 days', CASE WHEN NOT answered AND k % 2 = 0 THEN t + interval '3 days' END
    FROM (
      SELECT k, (ARRAY['nps','nps','nps','nps','nps','csat','csat','csat','csat','ces'])[1 + k % 10] AS kind, random() < 0.35 AS answered,
             now() - interval '${DAYS} days' * (1 - k::float / ${SURVEYS}) AS t
      FROM generate_series(1, ${SURVEYS}) k
    ) s`],
  ['survey gates', `
    INSERT INTO "SurveyGate" ("customerId", "surveyId", "claimedAt")
    SELECT DISTINCT ON ("customerId") "customerId", "surveyId", "sentAt" FROM "SurveyResponse" ORDER BY "customerId", "sentAt" DESC`],
];

interface Captured {
  query: string;
  params: unknown[];
}

interface Item {
  /** What the query is for. */
  name: string;
  /** Where it is made. */
  where: string;
  /** The index that serves it (or why none does). */
  index: string;
  /** Index names expected in the plan (any of them). */
  expect?: string[];
  /** A full scan by nature (all-time aggregates). */
  full?: boolean;
  /** Explain it a second time after these statements (in a rolled-back transaction): the previous indexes, say. */
  compare?: Variant;
  /** Runs the code; its statements are captured. */
  run: (db: Db) => Promise<unknown>;
  /** Labels the captured statements; statements that match none are left out (BEGIN, COMMIT, ...). */
  parts?: Array<[RegExp, string]>;
  /** Capture inside a transaction that is rolled back (writes). */
  write?: boolean;
  /** Hand-written SQL instead of running code (a what-if). */
  sql?: Captured[];
}

interface Row {
  id: string;
  name: string;
  where: string;
  index: string;
  nodes: string[];
  usesIndex: string;
  ms: number;
  rows: string;
  compare?: { label: string; nodes: string[]; ms: number };
}

interface Variant {
  label: string;
  setup: string[];
}

class Rollback extends Error {}

/** The access nodes of a text plan: "Index Scan Backward using X", "Seq Scan on T", ... */
function accessNodes(plan: string[]): string[] {
  const out: string[] = [];
  for (const line of plan) {
    const m = /((?:Parallel )?(?:Index Only Scan|Index Scan)(?: Backward)? using \S+|Bitmap Index Scan on \S+|(?:Parallel )?Seq Scan on \S+)/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

function executionMs(plan: string[]): number {
  for (const line of plan) {
    const m = /Execution Time: ([\d.]+) ms/.exec(line);
    if (m) return Number(m[1]);
  }
  return NaN;
}

/** The index or table a node reads, without quotes or schema. */
function relationOf(node: string): string {
  return node.replace(/.* (?:using|on) /, '').replace(/"/g, '').replace(/^public\./, '');
}

/** Rows the top node returned. */
function topRows(plan: string[]): string {
  const m = /actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/.exec(plan[0] ?? '');
  return m ? m[1]! : '?';
}

function pgParams(params: unknown[]): unknown[] {
  return params.map((p) => (p !== null && typeof p === 'object' ? JSON.stringify(p) : p));
}

/** The send-ledger indexes before migration *_query_indexes. */
const BEFORE: Variant = {
  label: 'before: SendLedger(status) instead of (status, createdAt), no SendLedger(sentAt)',
  setup: [
    'DROP INDEX "SendLedger_status_createdAt_idx"',
    'DROP INDEX "SendLedger_sentAt_idx"',
    'CREATE INDEX "SendLedger_status_idx" ON "SendLedger"("status")',
  ],
};

/** Most production databases are created with a linguistic collation (en_US.UTF-8, ICU), not C. */
const LINGUISTIC: Variant = {
  label: 'if SendLedger.workflowId had a linguistic collation (en-US, ICU), as in a database created with en_US.UTF-8, instead of C',
  setup: ['ALTER TABLE "SendLedger" ALTER COLUMN "workflowId" TYPE TEXT COLLATE "en-x-icu"'],
};

async function explain(pg: Client, c: Captured, variant?: Variant): Promise<string[]> {
  await pg.query('BEGIN');
  try {
    for (const s of variant?.setup ?? []) await pg.query(s);
    let plan: string[] = [];
    // A warm-up, then the run that is printed; each undone (writes) by its savepoint.
    for (let i = 0; i < 2; i++) {
      await pg.query('SAVEPOINT run');
      const r = await pg.query({ text: `EXPLAIN (ANALYZE, BUFFERS) ${c.query}`, values: pgParams(c.params) });
      plan = r.rows.map((x: Record<string, string>) => x['QUERY PLAN']!);
      await pg.query('ROLLBACK TO SAVEPOINT run');
    }
    return plan;
  } finally {
    await pg.query('ROLLBACK');
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  console.log('# EXPLAIN of the dashboard, ops API, report and dispatch queries on PostgreSQL');
  console.log(`machine: ${machine()}`);
  const server = await startServer();
  const reuse = !!process.env.EXPLAIN_POSTGRES_URL && process.env.EXPLAIN_REUSE === '1';
  const dbName = reuse ? 'outreach_explain' : `outreach_explain_${process.pid}`;
  const url = withDatabase(server.adminUrl, dbName);
  let pg: Client | undefined;
  let prisma: PostgresClient | undefined;
  try {
    const t0 = Date.now();
    await migrateDatabase(url, { quiet: true });
    pg = new Client({ connectionString: url });
    await pg.connect();
    const version = (await pg.query('SHOW server_version')).rows[0].server_version;
    const settings = (await pg.query("SELECT name, current_setting(name) AS v FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'random_page_cost', 'effective_cache_size', 'jit') ORDER BY name")).rows
      .map((r: { name: string; v: string }) => `${r.name}=${r.v}`).join(', ');
    const collation = (await pg.query('SELECT datcollate FROM pg_database WHERE datname = current_database()')).rows[0].datcollate;
    console.log(`PostgreSQL ${version} (${settings}; database collation ${collation}); migrations applied in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    await pg.query("SET TIME ZONE 'UTC'");
    const filled = reuse && Number((await pg.query('SELECT COUNT(*) AS n FROM "Event"')).rows[0].n) > 0;
    if (filled) console.log('  reusing the filled database outreach_explain (EXPLAIN_REUSE=1)');
    else {
      await pg.query("SET work_mem = '256MB'");
      await pg.query("SET maintenance_work_mem = '256MB'");
      await pg.query('SELECT setseed(0.42)');
      for (const [what, sql] of FILL) {
        const t = Date.now();
        const r = await pg.query(sql);
        console.log(`  filled ${what}: ${fmt(r.rowCount ?? 0)} rows in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      }
      await pg.query('RESET work_mem');
      const t = Date.now();
      await pg.query('VACUUM (ANALYZE)');
      console.log(`  VACUUM (ANALYZE) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    const sizes = (await pg.query(`
      SELECT c.relname AS t, c.reltuples::bigint AS n, pg_size_pretty(pg_table_size(c.oid)) AS heap, pg_size_pretty(pg_indexes_size(c.oid)) AS idx
      FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
      WHERE s.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_prisma_migrations' ORDER BY c.reltuples DESC`)).rows;
    console.log('\n' + table([['table', 'rows', 'heap', 'indexes'], ...sizes.map((r: Record<string, string>) => [r.t!, fmt(Number(r.n)), r.heap!, r.idx!])]));
    const ledgerStatus = (await pg.query('SELECT "status", COUNT(*)::int AS n FROM "SendLedger" GROUP BY 1 ORDER BY 2 DESC')).rows;
    console.log(`send ledger by status: ${ledgerStatus.map((r: { status: string; n: number }) => `${r.status} ${fmt(r.n)}`).join(', ')}`);

    // Parameters: the busiest customer (the worst case of the per-customer look-ups), the customer at
    // the head of the outbox, an event of theirs, a run with a survey child.
    const heavy = (await pg.query('SELECT "customerId" AS c, COUNT(*)::int AS n FROM "Event" GROUP BY 1 ORDER BY 2 DESC LIMIT 1')).rows[0] as { c: string; n: number };
    const queued = (await pg.query('SELECT o."customerId" AS c, o."seq" AS seq, e."id" AS id, e."idempotencyKey" AS k, e."name" AS name, e."occurredAt" AS at FROM "EventOutbox" o JOIN "Event" e ON e."id" = o."eventId" ORDER BY o."seq" LIMIT 1')).rows[0] as { c: string; seq: number; id: string; k: string; name: string; at: Date };
    const heavyEvent = (await pg.query(`SELECT "id", "idempotencyKey" AS k, "occurredAt" AS at, "ordinal" FROM "Event" WHERE "customerId" = $1 AND "name" = 'purchase' AND "dispatchedAt" IS NOT NULL ORDER BY "ordinal" DESC LIMIT 1`, [heavy.c])).rows[0] as { id: string; k: string; at: Date; ordinal: number };
    // The busiest customer's first enrollment names this event as its trigger (GET /v1/events/:id lists it).
    await pg.query(`UPDATE "Enrollment" SET "triggerEventId" = $1 WHERE "id" = (SELECT "id" FROM "Enrollment" WHERE "customerId" = $2 ORDER BY "startedAt" LIMIT 1)`, [heavyEvent.k, heavy.c]);
    const ledgerCustomer = (await pg.query(`SELECT "customerId" AS c FROM "SendLedger" WHERE "category" = 'marketing' GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1`)).rows[0].c as string;
    const run = 'seq-' + (await pg.query("SELECT md5('wf10') AS h")).rows[0].h;
    const runEnrollment = (await pg.query('SELECT "workflowId", "customerId" FROM "Enrollment" WHERE "workflowId" = $1', [run])).rows[0] as { workflowId: string; customerId: string };
    const ledgerKey = (await pg.query(`SELECT "key" FROM "SendLedger" WHERE "status" = 'ambiguous' ORDER BY "createdAt" DESC LIMIT 1`)).rows[0].key as string;
    console.log(`parameters: busiest customer ${heavy.c} (${fmt(heavy.n)} events), outbox head ${queued.c}, ledger customer ${ledgerCustomer}, run ${run}`);

    const captured: Captured[] = [];
    let capturing = false;
    prisma = new PostgresClient({ adapter: new PrismaPg({ connectionString: url }), log: [{ emit: 'event', level: 'query' }] });
    prisma.$on('query' as never, ((e: { query: string; params: string }) => {
      if (!capturing) return;
      let params: unknown[] = [];
      try {
        params = JSON.parse(e.params) as unknown[];
      } catch {
        // no parameters
      }
      captured.push({ query: e.query, params });
    }) as never);
    const db = prisma as unknown as Db;
    const stats = () => new OpsStats({ db } as never);
    const now = Date.now();

    const items: Item[] = [
      // Dashboard (client/dashboard/stats.ts), /metrics, ops pages.
      {
        name: 'problems: ledger rows failed/ambiguous/retry, newest 50', where: 'client/dashboard/stats.ts failures()',
        index: 'SendLedger(status, createdAt) NEW', expect: ['SendLedger_status_createdAt_idx'], compare: BEFORE,
        run: (d) => d.sendLedger.findMany({ where: { status: { in: PROBLEM_STATUSES } }, orderBy: { createdAt: 'desc' }, take: 50 }),
      },
      {
        name: 'ledger counts by status (all time)', where: 'client/dashboard/stats.ts failures()',
        index: 'SendLedger(status, createdAt) NEW: index-only', expect: ['SendLedger_status_createdAt_idx'], full: true, compare: BEFORE,
        run: (d) => d.sendLedger.groupBy({ by: ['status'], _count: { _all: true } }),
      },
      {
        name: 'emails per hour, last 48 h', where: 'client/dashboard/stats.ts sends()', index: 'SendLedger(sentAt) NEW + (status, createdAt) NEW',
        expect: ['SendLedger_sentAt_idx'], compare: BEFORE, run: () => stats().sends(48),
        parts: [[/"sentAt" >=/, 'emails per hour, last 48 h']],
      },
      {
        name: 'emails per hour, last 14 days (hours=336, the maximum)', where: 'client/dashboard/stats.ts sends()', index: 'SendLedger(sentAt) NEW + (status, createdAt) NEW',
        expect: ['SendLedger_sentAt_idx'], compare: BEFORE, run: () => stats().sends(336),
        parts: [[/"sentAt" >=/, 'emails per hour, last 14 days (hours=336, the maximum)']],
      },
      {
        name: 'ledger by status/template/locale/category (all time)', where: 'client/dashboard/stats.ts ledgerBreakdown(), /metrics',
        index: 'none: full scan by nature', full: true, run: () => stats().ledgerBreakdown(),
      },
      {
        name: 'ledger by customer country (all time, join)', where: 'client/dashboard/stats.ts sends() $queryRawUnsafe',
        index: 'none: full scan by nature (Customer PK for the join)', full: true, run: () => stats().sends(48),
        parts: [[/LEFT JOIN "Customer"/, 'ledger by customer country (all time, join)']],
      },
      {
        name: 'survey figures, last 30 days (groupBy + rows)', where: 'client/dashboard/stats.ts surveys()', index: 'SurveyResponse(sentAt)',
        expect: ['SurveyResponse_sentAt_idx'], run: () => stats().surveys(30),
        parts: [[/GROUP BY/, 'survey figures, last 30 days: groupBy'], [/^(?!.*GROUP BY)/, 'survey figures, last 30 days: daily rows']],
      },
      {
        name: 'survey totals (all time)', where: 'client/dashboard/stats.ts surveyTotals(), /metrics', index: 'none: full scan by nature', full: true,
        run: () => stats().surveyTotals(),
      },
      {
        name: 'enrollments by sequence and status', where: 'client/dashboard/stats.ts enrollments(), /metrics', index: 'Enrollment(sequenceId, status): index-only',
        expect: ['Enrollment_sequenceId_status_idx'], full: true, run: () => stats().enrollments(),
      },
      {
        name: 'sequence ids that enrollments carry', where: 'client/dashboard/stats.ts sequenceIds()', index: 'Enrollment(sequenceId, status): index-only',
        expect: ['Enrollment_sequenceId_status_idx'], full: true,
        run: () => (stats() as unknown as { sequenceIds(): Promise<unknown> }).sequenceIds(),
      },
      {
        name: 'run page: ledger of a run and its survey children', where: 'client/dashboard/runs.ts ledgerOf()', index: 'SendLedger(workflowId)',
        expect: ['SendLedger_workflowId_idx'], compare: LINGUISTIC, run: (d) => ledgerOf(d, run),
      },
      {
        name: 'run action: record pause/resume', where: 'client/dashboard/runs.ts recordAction()', index: 'Enrollment(workflowId) unique',
        expect: ['Enrollment_workflowId_key'], write: true,
        run: (d) => d.enrollment.updateMany({ where: { workflowId: run, status: { in: ['running', 'paused'] } }, data: { status: 'paused' } }),
      },
      // Reports.
      {
        name: 'survey report, default window (30 days)', where: 'client/api/surveys-report.ts surveyReport()', index: 'SurveyResponse(sentAt)',
        expect: ['SurveyResponse_sentAt_idx'], run: (d) => surveyReport(d, parseReportQuery({}, now)),
      },
      {
        name: 'outreach ledger list --status ambiguous', where: 'activities/send/ledger.ts listLedger()', index: 'SendLedger(status, createdAt) NEW',
        expect: ['SendLedger_status_createdAt_idx'], compare: BEFORE, run: (d) => listLedger(d, { status: 'ambiguous' }),
      },
      {
        name: 'outreach ledger list (all statuses, newest 100)', where: 'activities/send/ledger.ts listLedger()', index: 'none (no createdAt index; see report)',
        run: (d) => listLedger(d, {}),
      },
      // Ops API: customers, events.
      {
        name: 'GET /v1/customers/:id/enrollments', where: 'client/api/customers.ts listEnrollments()', index: 'Customer PK; Enrollment(customerId, sequenceId, entryKey) unique',
        expect: ['Customer_pkey', 'Enrollment_customerId_sequenceId_entryKey_key'], run: (d) => listEnrollments({ db: d } as never, heavy.c),
        parts: [[/FROM "public"."Customer"/, 'GET enrollments: the customer'], [/FROM "public"."Enrollment"/, 'GET enrollments: their enrollments']],
      },
      {
        name: 'PUT /v1/customers/:id: running enrollments (consent withdrawn)', where: 'client/api/customers.ts upsertCustomer()',
        index: 'Enrollment(customerId, sequenceId, entryKey) unique', expect: ['Enrollment_customerId_sequenceId_entryKey_key'],
        run: (d) => d.enrollment.findMany({ where: { customerId: heavy.c, status: { in: ['running', 'paused'] } } }),
      },
      {
        name: 'erasure: enrollments, ledger workflows, anonymize, delete (cascades)', where: 'client/api/customers.ts eraseCustomer()',
        index: 'Enrollment unique; SendLedger(customerId, category, sentAt); SurveyResponse(customerId); Customer PK; cascades: Event(customerId, name, occurredAt), EventOutbox(eventId)',
        expect: ['Enrollment_customerId_sequenceId_entryKey_key', 'SendLedger_customerId_category_sentAt_idx', 'SurveyResponse_customerId_idx', 'Customer_pkey'], write: true,
        run: async (d) => {
          await d.enrollment.findMany({ where: { customerId: heavy.c } });
          await d.sendLedger.findMany({ where: { customerId: heavy.c }, select: { workflowId: true }, distinct: ['workflowId'] });
          await d.sendLedger.updateMany({ where: { customerId: heavy.c }, data: { customerId: 'erased-x', request: null } });
          await d.surveyResponse.updateMany({ where: { customerId: heavy.c }, data: { customerId: 'erased-x', comment: null } });
          await d.customer.delete({ where: { id: heavy.c } });
        },
        parts: [
          [/SELECT .*FROM "public"."Enrollment"/, 'erasure: enrollments'], [/SELECT .*FROM "public"."SendLedger"/, 'erasure: ledger workflows'],
          [/UPDATE "public"."SendLedger"/, 'erasure: anonymize ledger'], [/UPDATE "public"."SurveyResponse"/, 'erasure: anonymize surveys'],
          [/DELETE FROM "public"."Customer"/, 'erasure: delete customer (cascades)'],
        ],
      },
      {
        name: 'GET /v1/events/:id', where: 'client/api/ingest.ts eventStatus()', index: 'Event(idempotencyKey) unique, EventOutbox(eventId) unique, Enrollment unique (customerId)',
        expect: ['Event_idempotencyKey_key', 'EventOutbox_eventId_key', 'Enrollment_customerId_sequenceId_entryKey_key'],
        run: (d) => eventStatus({ db: d } as never, heavyEvent.k),
        parts: [[/FROM "public"."Event" /, 'GET /v1/events/:id: the event'], [/FROM "public"."EventOutbox"/, 'GET /v1/events/:id: its outbox row'], [/FROM "public"."Enrollment"/, 'GET /v1/events/:id: enrollments it started']],
      },
      {
        name: 'POST /v1/events: redelivery look-up', where: 'client/api/ingest.ts store()', index: 'Event(idempotencyKey) unique', expect: ['Event_idempotencyKey_key'],
        run: (d) => d.event.findUnique({ where: { idempotencyKey: heavyEvent.k }, select: { customerId: true, dispatchedAt: true } }),
      },
      {
        name: 'POST /v1/events (wait): enrollments started by a dispatched event', where: 'client/api/ingest.ts settle()', index: 'Enrollment unique (customerId prefix)',
        expect: ['Enrollment_customerId_sequenceId_entryKey_key'],
        run: (d) => d.enrollment.findMany({ where: { customerId: heavy.c, triggerEventId: heavyEvent.k, status: { not: 'starting' } }, select: { workflowId: true } }),
      },
      // Dispatch (client/api/dispatch.ts, client/api/enrollments.ts).
      {
        name: 'settle: which waited-for events are done', where: 'client/api/dispatch.ts settle()', index: 'Event PK', expect: ['Event_pkey'],
        run: (d) => d.event.findMany({ where: { id: { in: [queued.id, heavyEvent.id] }, OR: [{ dispatchedAt: { not: null } }, { dispatchError: { not: null } }] }, select: { id: true, dispatchedAt: true } }),
      },
      {
        name: 'lease: take over an expired lease', where: 'client/api/dispatch.ts acquire()', index: 'DispatchLease PK', expect: ['DispatchLease_pkey'], write: true,
        run: (d) => d.dispatchLease.updateMany({ where: { customerId: queued.c, OR: [{ until: { lt: new Date() } }, { holder: 'api-2' }] }, data: { holder: 'api-2', until: new Date(Date.now() + 30_000) } }),
      },
      {
        name: 'lane: anything queued and due for the customer', where: 'client/api/dispatch.ts lane()', index: 'EventOutbox(customerId, seq)', expect: ['EventOutbox_customerId_seq_idx'],
        run: (d) => d.eventOutbox.findFirst({ where: { customerId: queued.c, nextAttemptAt: { lte: new Date() } }, select: { seq: true } }),
      },
      {
        name: 'drain: the customer\'s next 20 queued events with their events', where: 'client/api/dispatch.ts drain()', index: 'EventOutbox(customerId, seq); Event PK',
        expect: ['EventOutbox_customerId_seq_idx', 'Event_pkey'],
        run: (d) => d.eventOutbox.findMany({ where: { customerId: queued.c }, orderBy: { seq: 'asc' }, take: 20, include: { event: true } }),
        parts: [[/FROM "public"."EventOutbox"/, 'drain: queued events'], [/FROM "public"."Event" /, 'drain: their events']],
      },
      {
        name: 'settle a dispatched event: mark it, delete its outbox row', where: 'client/api/dispatch.ts drain()', index: 'Event PK; EventOutbox PK',
        expect: ['Event_pkey', 'EventOutbox_pkey'], write: true,
        run: async (d) => {
          await d.event.update({ where: { id: queued.id }, data: { dispatchedAt: new Date(), ordinal: 1, dispatchError: null } });
          await d.eventOutbox.deleteMany({ where: { seq: queued.seq } });
        },
        parts: [[/UPDATE "public"."Event"/, 'dispatched: mark the event'], [/DELETE FROM "public"."EventOutbox"/, 'dispatched: delete the outbox row']],
      },
      {
        name: 'sweep: customers with due queued events (distinct, take 200)', where: 'client/api/dispatch.ts sweepOnce()', index: 'EventOutbox(nextAttemptAt) / PK (seq); no LIMIT in the SQL (see report)',
        run: (d) => d.eventOutbox.findMany({ where: { nextAttemptAt: { lte: new Date() } }, orderBy: { seq: 'asc' }, distinct: ['customerId'], select: { customerId: true }, take: 200 }),
      },
      {
        name: 'dispatch: ordinal (max of the customer\'s events of the name)', where: 'client/api/enrollments.ts dispatchStoredEvent()', index: 'Event(customerId, name, ordinal)',
        expect: ['Event_customerId_name_ordinal_idx'],
        run: (d) => d.event.aggregate({ where: { customerId: heavy.c, name: 'purchase', ordinal: { not: null } }, _max: { ordinal: true } }),
      },
      {
        name: 'dispatch: enrollments that listen to the event', where: 'client/api/enrollments.ts dispatchStoredEvent()', index: 'Enrollment unique (customerId prefix)',
        expect: ['Enrollment_customerId_sequenceId_entryKey_key'],
        run: (d) => d.enrollment.findMany({ where: { customerId: heavy.c, status: { in: ['running', 'paused', 'starting'] }, OR: [{ listensTo: { contains: ',purchase,' } }, { listensTo: '' }] }, select: { workflowId: true } }),
      },
      {
        name: 'dispatch: milestone total of earlier events', where: 'client/api/enrollments.ts dispatchStoredEvent()', index: 'Event(customerId, name, ordinal)',
        expect: ['Event_customerId_name_ordinal_idx'],
        run: (d) => d.event.findMany({ where: { customerId: heavy.c, name: 'purchase', ordinal: { not: null, lt: heavyEvent.ordinal } }, select: { properties: true } }),
      },
      {
        name: 'dispatch: last start of the sequence (reenterAfter)', where: 'client/api/enrollments.ts dispatchStoredEvent()', index: 'Enrollment(customerId, sequenceId, entryKey) unique',
        expect: ['Enrollment_customerId_sequenceId_entryKey_key'],
        run: (d) => d.enrollment.findFirst({ where: { customerId: heavy.c, sequenceId: 'post-purchase', NOT: { triggerEventId: heavyEvent.k } }, orderBy: { startedAt: 'desc' }, select: { startedAt: true } }),
      },
      {
        name: 'dispatch: listened-to events dispatched earlier that occurred later', where: 'client/api/enrollments.ts dispatchStoredEvent()', index: 'Event(customerId, name, occurredAt)',
        expect: ['Event_customerId_name_occurredAt_idx'],
        run: (d) => d.event.findMany({
          where: { customerId: heavy.c, name: { in: ['purchase', 'order_shipped'] }, dispatchedAt: { not: null }, occurredAt: { gte: new Date(heavyEvent.at.getTime() - 30 * 86_400_000) }, NOT: { id: heavyEvent.id } },
          orderBy: [{ dispatchedAt: 'desc' }], take: INBOX_CAP,
        }),
      },
      {
        name: 'dispatch: enrollment started (starting -> running)', where: 'client/api/enrollments.ts dispatchStoredEvent()', index: 'Enrollment(workflowId) unique',
        expect: ['Enrollment_workflowId_key'], write: true,
        run: (d) => d.enrollment.updateMany({ where: { workflowId: runEnrollment.workflowId, status: 'starting' }, data: { status: 'running' } }),
      },
      // Send path (activities/).
      {
        name: 'frequency cap: the customer\'s capped marketing sends in the window', where: 'activities/send/frequency-cap.ts countedSends()',
        index: 'SendLedger(customerId, category, sentAt)', expect: ['SendLedger_customerId_category_sentAt_idx'],
        run: (d) => d.sendLedger.findMany({
          where: {
            customerId: ledgerCustomer, category: 'marketing', key: { not: 'x/s1/0' },
            OR: [{ status: 'sent', sentAt: { gte: new Date(now - 7 * 86_400_000) } }, { status: { in: IN_FLIGHT_STATUSES }, claimedAt: { gte: new Date(now - 7 * 86_400_000) } }],
          },
          select: { sentAt: true, claimedAt: true },
        }),
      },
      {
        name: 'check-in: recent contact', where: 'activities/checkins.ts', index: 'SendLedger(customerId, category, sentAt)', expect: ['SendLedger_customerId_category_sentAt_idx'],
        run: (d) => d.sendLedger.findFirst({
          where: { customerId: ledgerCustomer, status: 'sent', sentAt: { gte: new Date(now - 30 * 86_400_000) }, category: { not: 'internal' }, workflowId: { not: 'checkin-x' } },
          select: { id: true },
        }),
      },
      {
        name: 'send: the ledger row of the step', where: 'activities/send/send-email.ts', index: 'SendLedger(key) unique', expect: ['SendLedger_key_key'],
        run: (d) => d.sendLedger.findUnique({ where: { key: ledgerKey } }),
      },
      {
        name: 'send: claim the row (compare-and-set)', where: 'activities/send/send-email.ts writeRow()', index: 'SendLedger(key) unique', expect: ['SendLedger_key_key'], write: true,
        run: (d) => d.sendLedger.updateMany({ where: { key: ledgerKey, status: 'ambiguous' }, data: { status: 'sending', claimedAt: new Date(), attempts: { increment: 1 } } }),
      },
      {
        name: 'send: purchase count for the template', where: 'activities/send/send-email.ts', index: 'Event(customerId, name, ...)',
        expect: ['Event_customerId_name_occurredAt_idx', 'Event_customerId_name_ordinal_idx'],
        run: (d) => d.event.count({ where: { customerId: heavy.c, name: 'purchase' } }),
      },
      {
        name: 'send: enrollment start (days since)', where: 'activities/send/send-email.ts', index: 'Enrollment(workflowId) unique', expect: ['Enrollment_workflowId_key'],
        run: (d) => d.enrollment.findUnique({ where: { workflowId: run }, select: { startedAt: true } }),
      },
      {
        name: 'sequence migrate: open runs of a sequence', where: 'client/cli/commands/sequence-migrate.ts', index: 'Enrollment(sequenceId, status)',
        expect: ['Enrollment_sequenceId_status_idx'],
        run: (d) => d.enrollment.findMany({ where: { sequenceId: 'winback', status: { in: ['running', 'paused'] } }, select: { workflowId: true } }),
      },
      // What-if: the problems list asked per status (hand-written SQL, the shape Prisma sends for status = X).
      {
        name: 'what-if: problems list asked per status (3 queries, merged in code)', where: 'hand-written (not in the code)', index: 'SendLedger(status, createdAt) NEW',
        expect: ['SendLedger_status_createdAt_idx'], run: async () => undefined,
        sql: PROBLEM_STATUSES.map((s) => ({
          query: 'SELECT "id", "workflowId", "stepId", "status", "attempts", "error", "createdAt" FROM "public"."SendLedger" WHERE "status" = $1 ORDER BY "createdAt" DESC LIMIT $2',
          params: [s, '50'],
        })),
        parts: [[/./, 'what-if: problems list, one status']],
      },
    ];

    const tableRows = new Map<string, number>((await pg.query(`SELECT relname AS t, reltuples::bigint AS n FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`)).rows
      .map((r: { t: string; n: string }) => [r.t, Number(r.n)]));
    // Index usage counters from here on: which indexes none of the queries below touches.
    const statsReset = await pg.query('SELECT pg_stat_reset()').then(() => true, () => false);
    const rows: Row[] = [];
    const plans: string[] = [];
    let n = 0;
    for (const item of items) {
      n += 1;
      captured.length = 0;
      let statements: Captured[];
      if (item.sql) {
        statements = item.sql;
      } else {
        capturing = true;
        try {
          if (item.write) {
            await prisma.$transaction(async (tx) => {
              await item.run(tx as unknown as Db);
              throw new Rollback();
            }).catch((err) => {
              if (!(err instanceof Rollback)) throw err;
            });
          } else {
            await item.run(db);
          }
        } finally {
          capturing = false;
        }
        statements = captured.filter((c) => !/^(BEGIN|COMMIT|ROLLBACK)\b/i.test(c.query.trim()));
      }
      const labelled: Array<{ label: string; c: Captured }> = [];
      if (item.parts) {
        for (const [re, label] of item.parts) {
          statements.filter((c) => re.test(c.query)).forEach((c, i, all) => labelled.push({ label: all.length > 1 ? `${label} (${i + 1})` : label, c }));
        }
      } else {
        statements.forEach((c, i) => labelled.push({ label: statements.length > 1 ? `${item.name} (${i + 1})` : item.name, c }));
      }
      let k = 0;
      for (const { label, c } of labelled) {
        k += 1;
        const id = labelled.length > 1 ? `${n}${String.fromCharCode(96 + k)}` : `${n}`;
        const plan = await explain(pg, c);
        const nodes = accessNodes(plan);
        const seq = nodes.filter((x) => /Seq Scan/.test(x)).map(relationOf);
        const used = nodes.filter((x) => !/Seq Scan/.test(x)).map(relationOf);
        const expected = item.expect ?? [];
        const small = seq.filter((t) => (tableRows.get(t) ?? Infinity) < 1_000);
        const usesIndex = item.full
          ? (used.length && !seq.length ? 'yes (whole index: full by nature)' : 'no (full scan by nature)')
          : seq.length > small.length
            ? (used.length ? 'partly (seq scan too)' : 'NO (seq scan)')
            : small.length
              ? `no: ${small.join(', ')} has ${small.map((t) => fmt(tableRows.get(t)!)).join(', ')} rows (seq scan is right)`
              : used.length ? (expected.length && !expected.some((e) => used.includes(e)) ? 'yes (another index)' : 'yes') : 'no table access';
        const row: Row = { id, name: label, where: item.where, index: item.index, nodes, usesIndex, ms: executionMs(plan), rows: topRows(plan) };
        let compare = '';
        if (item.compare) {
          const other = await explain(pg, c, item.compare);
          row.compare = { label: item.compare.label, nodes: accessNodes(other), ms: executionMs(other) };
          compare = `\n-- ${item.compare.label}:\n${other.join('\n')}`;
        }
        rows.push(row);
        plans.push(`## ${id}. ${label}\n-- ${item.where}; index: ${item.index}\n-- SQL: ${c.query}\n-- params: ${JSON.stringify(c.params)}\n${plan.join('\n')}${compare}`);
      }
      if (labelled.length === 0) console.log(`(no statement captured for ${item.name})`);
    }

    console.log('\n# Plans (EXPLAIN (ANALYZE, BUFFERS), second run)\n');
    console.log(plans.join('\n\n'));

    console.log(`\n# Summary (${fmt(EVENTS)} events, ${fmt(LEDGER)} send-ledger rows; times are EXPLAIN ANALYZE execution times in ms, second run)\n`);
    const short = (xs: string[]) => [...new Set(xs.map((x) => x.replace(/^Parallel /, 'Par. ').replace(/"/g, '').replace(/ on public\./, ' on ')))].join(', ') || '(none)';
    const variants = [...new Set(rows.flatMap((r) => (r.compare ? [r.compare.label] : [])))];
    console.log(table([
      ['#', 'query', 'plan access nodes', 'index used', 'ms', 'rows', 'compared with', 'its access nodes', 'its ms'],
      ...rows.map((r) => [
        r.id, r.name, short(r.nodes), r.usesIndex, r.ms.toFixed(2), r.rows,
        r.compare ? `(${String.fromCharCode(65 + variants.indexOf(r.compare.label))})` : '', r.compare ? short(r.compare.nodes) : '', r.compare ? r.compare.ms.toFixed(2) : '',
      ]),
    ]));
    variants.forEach((v, i) => console.log(`(${String.fromCharCode(65 + i)}) ${v}`));
    console.log('\n' + table([
      ['#', 'query', 'where', 'index serving it'],
      ...rows.map((r) => [r.id, r.name, r.where, r.index]),
    ]));
    for (const idx of ['SendLedger_status_createdAt_idx', 'SendLedger_sentAt_idx']) {
      const by = rows.filter((r) => r.nodes.some((x) => relationOf(x) === idx)).map((r) => r.id);
      console.log(`new index ${idx}: ${by.length ? `used by ${by.join(', ')}` : 'NOT used'}`);
    }
    if (statsReset) {
      // This connection's counters reach the shared statistics when it goes idle after a forced flush.
      await pg.query('SELECT pg_stat_force_next_flush()').catch(() => undefined); // PostgreSQL 15+
      await new Promise((r) => setTimeout(r, 1500));
      const unused = (await pg.query(`SELECT indexrelname AS i FROM pg_stat_user_indexes WHERE idx_scan = 0 AND relname <> '_prisma_migrations' ORDER BY 1`)).rows.map((r: { i: string }) => r.i);
      console.log(`indexes none of these queries used (pg_stat_user_indexes, idx_scan = 0; unique keys and primary keys also serve writes and constraints): ${unused.join(', ') || 'none'}`);
    }
    console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    await prisma?.$disconnect().catch(() => undefined);
    await pg?.end().catch(() => undefined);
    if (process.env.EXPLAIN_POSTGRES_URL && !reuse) {
      const admin = new Client({ connectionString: server.adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await admin.end();
    }
    server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
