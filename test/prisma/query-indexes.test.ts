// The indexes the dashboard and ops queries need (migration *_query_indexes, see bench/explain.ts for
// their plans at a million rows) exist after the migrations on both databases, and PostgreSQL's planner
// picks them for the SQL Prisma sends (sequential scans disabled: a small table would otherwise be
// read whole, which is the right plan at that size). Needs TEST_POSTGRES_URL; own databases, dropped.
import { Client as PgClient } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/postgresql/client';
import { migrateDatabase } from '../../activities/db/migrate';
import type { Db } from '../../activities/db/client';
import { OpsStats, PROBLEM_STATUSES } from '../../client/dashboard/stats';
import { dropPgDatabase, requirePostgresUrl, Sqlite, tempSqlite, uniqueDatabaseName, withDatabase } from './support';

/** Index name -> its columns, in order. */
const ADDED: Record<string, string[]> = {
  SendLedger_status_createdAt_idx: ['status', 'createdAt'],
  SendLedger_sentAt_idx: ['sentAt'],
};
/** Replaced by SendLedger_status_createdAt_idx, of which it was a prefix. */
const REMOVED = ['SendLedger_status_idx'];

describe('query indexes on SQLite', () => {
  test('exist after the migrations, with their columns in order', async () => {
    const tmp = tempSqlite();
    try {
      await migrateDatabase(tmp.url, { quiet: true });
      const db = new Sqlite(tmp.file, { readonly: true });
      try {
        const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'SendLedger'").all() as Array<{ name: string }>).map((r) => r.name);
        for (const [name, columns] of Object.entries(ADDED)) {
          expect(names).toContain(name);
          const info = db.prepare(`PRAGMA index_info("${name}")`).all() as Array<{ seqno: number; name: string }>;
          expect(info.sort((a, b) => a.seqno - b.seqno).map((c) => c.name)).toEqual(columns);
        }
        for (const name of REMOVED) expect(names).not.toContain(name);
      } finally {
        db.close();
      }
    } finally {
      tmp.cleanup();
    }
  });
});

describe('query indexes on PostgreSQL', () => {
  let admin: string;
  let name: string;
  let url: string;
  let pg: PgClient;

  beforeAll(async () => {
    admin = requirePostgresUrl();
    name = uniqueDatabaseName('query_indexes');
    url = withDatabase(admin, name);
    await migrateDatabase(url, { quiet: true });
    pg = new PgClient({ connectionString: url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    if (admin) await dropPgDatabase(admin, name);
  });

  test('exist after the migrations, with their columns in order', async () => {
    const rows = (await pg.query("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'SendLedger'")).rows as Array<{ indexname: string; indexdef: string }>;
    const names = rows.map((r) => r.indexname);
    for (const [index, columns] of Object.entries(ADDED)) {
      expect(names).toContain(index);
      // e.g. CREATE INDEX "SendLedger_status_createdAt_idx" ON public."SendLedger" USING btree (status, "createdAt")
      expect(rows.find((r) => r.indexname === index)!.indexdef.replace(/"/g, '')).toContain(`USING btree (${columns.join(', ')})`);
    }
    for (const index of REMOVED) expect(names).not.toContain(index);
  });

  test("the planner uses them for the dashboard's problems list and emails per hour", async () => {
    // A small ledger over ten days, mostly sent, a few problems.
    await pg.query(`
      INSERT INTO "SendLedger" ("id", "key", "workflowId", "stepId", "iteration", "customerId", "templateId", "locale", "category", "status", "messageId", "createdAt", "sentAt")
      SELECT 'sl' || i, 'wf-' || i || '/s1/0', 'wf-' || i, 's1', 0, 'c' || (i % 50), 't', 'en', 'marketing',
             (ARRAY['sent','sent','sent','sent','sent','sent','sent','failed','suppressed','ambiguous'])[1 + i % 10],
             '<m' || i || '>', now() - interval '10 days' * (1 - i / 2000.0),
             CASE WHEN i % 10 < 7 THEN now() - interval '10 days' * (1 - i / 2000.0) END
      FROM generate_series(1, 2000) i`);
    await pg.query('ANALYZE "SendLedger"');

    // The SQL Prisma sends, captured from its query log.
    const captured: Array<{ query: string; params: unknown[] }> = [];
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }), log: [{ emit: 'event', level: 'query' }] });
    prisma.$on('query', (e) => captured.push({ query: e.query, params: JSON.parse(e.params) as unknown[] }));
    try {
      // As OpsStats.failures() asks it (that method also needs Temporal), and OpsStats.sends() itself.
      await prisma.sendLedger.findMany({ where: { status: { in: PROBLEM_STATUSES } }, orderBy: { createdAt: 'desc' }, take: 50 });
      await new OpsStats({ db: prisma as unknown as Db } as never).sends(48);
    } finally {
      await prisma.$disconnect();
    }
    const problems = captured.find((c) => /"status" IN .*ORDER BY .*"createdAt" DESC/.test(c.query));
    const perHour = captured.find((c) => /"sentAt" >=/.test(c.query));
    expect(problems).toBeDefined();
    expect(perHour).toBeDefined();

    const plan = async (c: { query: string; params: unknown[] }): Promise<string> => {
      await pg.query('BEGIN');
      try {
        await pg.query('SET LOCAL enable_seqscan = off');
        const r = await pg.query({ text: `EXPLAIN (FORMAT JSON) ${c.query}`, values: c.params });
        return JSON.stringify(r.rows[0]['QUERY PLAN']);
      } finally {
        await pg.query('ROLLBACK');
      }
    };
    expect(await plan(problems!)).toContain('"Index Name":"SendLedger_status_createdAt_idx"');
    const hours = await plan(perHour!);
    expect(hours).toContain('"Index Name":"SendLedger_sentAt_idx"');
    expect(hours).not.toContain('Seq Scan');
  });
});
