// The Prisma CLI commands that need a schema engine — migrate dev, migrate reset, db push — run
// offline through the stand-in on SQLite and PostgreSQL. Each test uses a scratch migrations folder
// and its own database, so the committed migrations are only read, never changed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import {
  dropPgDatabase, expectNoNewShadowDatabases, expectOk, POSTGRES_MIGRATIONS, POSTGRES_SCHEMA, prisma, requirePostgresUrl, shadowDatabases,
  SQLITE_MIGRATIONS, SQLITE_SCHEMA, tempSqlite, uniqueDatabaseName, withDatabase,
  Sqlite,
} from './support';

interface Scratch {
  dir: string;
  config: string;
  migrations: string;
  cleanup(): void;
}

/** A Prisma config (plain JS, so it needs no imports) with its own migrations folder. */
function scratch(schema: string, url: string): Scratch {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-prisma-cli-'));
  const migrations = path.join(dir, 'migrations');
  const config = path.join(dir, 'prisma.config.js');
  fs.writeFileSync(config, `module.exports = ${JSON.stringify({ schema, migrations: { path: migrations }, datasource: { url } }, null, 2)};\n`);
  return { dir, config, migrations, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every model of a schema file, e.g. ["Customer", "Event", ...]. */
function modelsOf(schema: string): string[] {
  return [...fs.readFileSync(schema, 'utf8').matchAll(/^model (\w+) \{/gm)].map((m) => m[1]);
}

function migrationSql(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    .map((name) => fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8'));
}

/** A copy of `schema` with one more model, to make `migrate dev` create a second migration. */
function extendedSchema(schema: string, dir: string): string {
  const file = path.join(dir, 'schema.prisma');
  const text = fs.readFileSync(schema, 'utf8').replace(/output\s*=\s*"[^"]*"/, `output = ${JSON.stringify(path.join(dir, 'generated'))}`);
  fs.writeFileSync(file, `${text}\nmodel ScratchNote {\n  id   String @id\n  body String?\n}\n`);
  return file;
}

describe('prisma migrate dev / reset and db push on SQLite', () => {
  test('migrate dev creates an initial migration with every model, then a second one for a schema change', async () => {
    const db = tempSqlite();
    const s = scratch(SQLITE_SCHEMA, db.url);
    try {
      const first = await prisma(['migrate', 'dev', '--name', 'init', '--config', s.config], undefined);
      expectOk(first, 'migrate dev --name init');
      expect(fs.readFileSync(path.join(s.migrations, 'migration_lock.toml'), 'utf8')).toMatch(/provider = "sqlite"/);
      // One migration from scratch creates every model the committed migrations build up to
      // (migrate-sqlite.test.ts proves the committed ones match the schema with an empty diff).
      const [init] = migrationSql(s.migrations);
      for (const model of modelsOf(SQLITE_SCHEMA)) expect(init).toContain(`CREATE TABLE "${model}"`);

      const again = await prisma(['migrate', 'dev', '--config', s.config], undefined);
      expectOk(again, 'migrate dev (no change)');
      expect(again.stdout).toContain('Already in sync');

      const changed = extendedSchema(SQLITE_SCHEMA, s.dir);
      const second = await prisma(['migrate', 'dev', '--name', 'notes', '--schema', changed, '--config', s.config], undefined);
      expectOk(second, 'migrate dev --name notes');
      const sql = migrationSql(s.migrations);
      expect(sql).toHaveLength(2);
      expect(sql[1]).toContain('CREATE TABLE "ScratchNote"');
    } finally {
      s.cleanup();
      db.cleanup();
    }
  });

  test('migrate reset empties the database and applies every migration again', async () => {
    const db = tempSqlite();
    const s = scratch(SQLITE_SCHEMA, db.url);
    try {
      fs.cpSync(SQLITE_MIGRATIONS, s.migrations, { recursive: true });
      expectOk(await prisma(['migrate', 'deploy', '--config', s.config], undefined), 'migrate deploy');
      const raw = new Sqlite(db.file);
      raw.prepare("INSERT INTO Customer (id, email, updatedAt) VALUES ('c1', 'c1@example.com', 0)").run();
      raw.exec('CREATE TABLE leftover (x INTEGER)');
      raw.close();

      const reset = await prisma(['migrate', 'reset', '--force', '--config', s.config], undefined);
      expectOk(reset, 'migrate reset');
      expect(reset.stdout).toContain('Database reset successful');

      const after = new Sqlite(db.file, { readonly: true });
      try {
        expect(after.prepare('SELECT count(*) AS n FROM Customer').get()).toEqual({ n: 0 });
        expect(after.prepare("SELECT name FROM sqlite_master WHERE name = 'leftover'").all()).toEqual([]);
        expect(after.prepare('SELECT count(*) AS n FROM _prisma_migrations').get()).toEqual({ n: migrationSql(SQLITE_MIGRATIONS).length });
      } finally {
        after.close();
      }
    } finally {
      s.cleanup();
      db.cleanup();
    }
  });

  test('db push creates the schema on a fresh file, and then nothing differs', async () => {
    const db = tempSqlite();
    const s = scratch(SQLITE_SCHEMA, db.url);
    try {
      const push = await prisma(['db', 'push', '--config', s.config], undefined);
      expectOk(push, 'db push');
      expect(push.stdout).toContain('Your database is now in sync with your Prisma schema');
      const diff = await prisma(['migrate', 'diff', '--from-config-datasource', '--to-schema', SQLITE_SCHEMA, '--exit-code', '--config', s.config], undefined);
      expect(diff.stdout).toContain('No difference detected.');
      expect(diff.code).toBe(0);
    } finally {
      s.cleanup();
      db.cleanup();
    }
  });
});

describe('prisma migrate dev / reset and db push on PostgreSQL', () => {
  let admin: string;
  let name: string;
  let url: string;

  beforeAll(() => {
    admin = requirePostgresUrl();
  });

  beforeEach(() => {
    name = uniqueDatabaseName();
    url = withDatabase(admin, name);
  });

  afterEach(async () => {
    if (admin) await dropPgDatabase(admin, name);
  });

  async function query(sql: string): Promise<Array<Record<string, unknown>>> {
    const c = new PgClient({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  }

  test('migrate dev creates an initial migration with every model using a shadow database, and drops the shadow database', async () => {
    const s = scratch(POSTGRES_SCHEMA, url);
    try {
      const shadowsBefore = await shadowDatabases(admin);
      const first = await prisma(['migrate', 'dev', '--name', 'init', '--config', s.config], undefined);
      expectOk(first, 'migrate dev --name init');
      expect(fs.readFileSync(path.join(s.migrations, 'migration_lock.toml'), 'utf8')).toMatch(/provider = "postgresql"/);
      const [init] = migrationSql(s.migrations);
      for (const model of modelsOf(POSTGRES_SCHEMA)) expect(init).toContain(`CREATE TABLE "${model}"`);

      const changed = extendedSchema(POSTGRES_SCHEMA, s.dir);
      const second = await prisma(['migrate', 'dev', '--name', 'notes', '--schema', changed, '--config', s.config], undefined);
      expectOk(second, 'migrate dev --name notes');
      expect(migrationSql(s.migrations)[1]).toContain('CREATE TABLE "ScratchNote"');
      await expectNoNewShadowDatabases(admin, shadowsBefore);
    } finally {
      s.cleanup();
    }
  });

  test('migrate reset empties the database and applies every migration again', async () => {
    const s = scratch(POSTGRES_SCHEMA, url);
    try {
      fs.cpSync(POSTGRES_MIGRATIONS, s.migrations, { recursive: true });
      expectOk(await prisma(['migrate', 'deploy', '--config', s.config], undefined), 'migrate deploy');
      await query(`INSERT INTO "Customer" (id, email, "updatedAt") VALUES ('c1', 'c1@example.com', now())`);
      await query('CREATE TABLE leftover (x int)');

      const reset = await prisma(['migrate', 'reset', '--force', '--config', s.config], undefined);
      expectOk(reset, 'migrate reset');
      expect(reset.stdout).toContain('Database reset successful');
      expect(await query('SELECT count(*)::int AS n FROM "Customer"')).toEqual([{ n: 0 }]);
      expect(await query("SELECT tablename FROM pg_tables WHERE tablename = 'leftover'")).toEqual([]);
      expect(await query('SELECT count(*)::int AS n FROM _prisma_migrations')).toEqual([{ n: migrationSql(POSTGRES_MIGRATIONS).length }]);
    } finally {
      s.cleanup();
    }
  });

  test('db push creates the schema on a fresh database, and then nothing differs', async () => {
    const s = scratch(POSTGRES_SCHEMA, url);
    try {
      const push = await prisma(['db', 'push', '--config', s.config], undefined);
      expectOk(push, 'db push');
      const diff = await prisma(['migrate', 'diff', '--from-config-datasource', '--to-schema', POSTGRES_SCHEMA, '--exit-code', '--config', s.config], undefined);
      expect(diff.stdout).toContain('No difference detected.');
      expect(diff.code).toBe(0);
    } finally {
      s.cleanup();
    }
  });
});
