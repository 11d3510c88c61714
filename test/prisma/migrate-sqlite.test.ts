// `migrateDatabase` and the stock Prisma CLI on SQLite, through the schema engine stand-in: every
// test starts from a file that does not exist yet and deletes it afterwards.
import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { Prisma, PrismaClient } from '../../generated/prisma/sqlite/client';
import { migrateDatabase } from '../../activities/db/migrate';
import {
  expectOk, expectOneLineError, prisma, SQLITE_CONFIG, SQLITE_MIGRATIONS, SQLITE_SCHEMA, tempSqlite, type TempSqlite,
  Sqlite,
} from './support';

const MODELS = Object.values(Prisma.ModelName);

function client(file: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: file }) });
}

function delegate(db: PrismaClient, model: string): { count(): Promise<number> } {
  const key = model.charAt(0).toLowerCase() + model.slice(1);
  return (db as unknown as Record<string, { count(): Promise<number> }>)[key];
}

function appliedMigrations(file: string): Array<{ id: string; migration_name: string; finished_at: string | null }> {
  const db = new Sqlite(file, { readonly: true });
  try {
    return db.prepare('SELECT id, migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name').all() as never;
  } finally {
    db.close();
  }
}

function committedMigrationNames(): string[] {
  return fs.readdirSync(SQLITE_MIGRATIONS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

describe('migrations on SQLite (offline, schema engine stand-in)', () => {
  let tmp: TempSqlite;

  beforeEach(() => {
    tmp = tempSqlite();
  });

  afterEach(() => {
    tmp.cleanup();
  });

  test('migrate deploy on a fresh file creates the file, its directory and every table', async () => {
    expect(fs.existsSync(path.dirname(tmp.file))).toBe(false);
    await migrateDatabase(tmp.url, { quiet: true });
    expect(fs.existsSync(tmp.file)).toBe(true);

    expect(appliedMigrations(tmp.file).map((m) => m.migration_name)).toEqual(committedMigrationNames());
    const db = client(tmp.file);
    try {
      for (const model of MODELS) {
        await expect(delegate(db, model).count()).resolves.toBe(0);
      }
    } finally {
      await db.$disconnect();
    }
  });

  test('a second deploy is a no-op', async () => {
    await migrateDatabase(tmp.url, { quiet: true });
    const before = appliedMigrations(tmp.file);
    await migrateDatabase(tmp.url, { quiet: true });
    expect(appliedMigrations(tmp.file)).toEqual(before);

    const again = await prisma(['migrate', 'deploy', '--config', SQLITE_CONFIG], tmp.url);
    expectOk(again, 'migrate deploy');
    expect(again.stdout).toContain('No pending migrations to apply.');
    expect(appliedMigrations(tmp.file)).toEqual(before);
  });

  test('migrate status reports the database up to date after deploy, and pending migrations before', async () => {
    fs.mkdirSync(path.dirname(tmp.file), { recursive: true });
    new Sqlite(tmp.file).close();
    const pending = await prisma(['migrate', 'status', '--config', SQLITE_CONFIG], tmp.url);
    expect(pending.code).toBe(1);
    expect(pending.stdout).toMatch(/have not yet been applied/);

    await migrateDatabase(tmp.url, { quiet: true });
    const status = await prisma(['migrate', 'status', '--config', SQLITE_CONFIG], tmp.url);
    expectOk(status, 'migrate status');
    expect(status.stdout).toContain('Database schema is up to date!');
  });

  test('the committed migrations match the schema (migrate diff is empty)', async () => {
    const fromMigrations = await prisma(
      ['migrate', 'diff', '--from-migrations', SQLITE_MIGRATIONS, '--to-schema', SQLITE_SCHEMA, '--exit-code', '--config', SQLITE_CONFIG], tmp.url);
    expect(fromMigrations.stdout).toContain('No difference detected.');
    expect(fromMigrations.code).toBe(0);
    // A diff between migrations and a schema must not create the configured database.
    expect(fs.existsSync(tmp.file)).toBe(false);

    await migrateDatabase(tmp.url, { quiet: true });
    const fromDatabase = await prisma(
      ['migrate', 'diff', '--from-config-datasource', '--to-schema', SQLITE_SCHEMA, '--exit-code', '--config', SQLITE_CONFIG], tmp.url);
    expect(fromDatabase.stdout).toContain('No difference detected.');
    expect(fromDatabase.code).toBe(0);
  });

  test('migrate diff prints the SQL a migration from empty would contain', async () => {
    const diff = await prisma(
      ['migrate', 'diff', '--from-empty', '--to-schema', SQLITE_SCHEMA, '--script', '--exit-code', '--config', SQLITE_CONFIG], tmp.url);
    expect(diff.code).toBe(2);
    for (const model of MODELS) expect(diff.stdout).toContain(`CREATE TABLE "${model}"`);
  });

  test('unique constraints hold: Event.idempotencyKey and SendLedger.key', async () => {
    await migrateDatabase(tmp.url, { quiet: true });
    const db = client(tmp.file);
    try {
      await db.customer.create({ data: { id: 'c1', email: 'c1@example.com' } });
      const event = { customerId: 'c1', name: 'signup', occurredAt: new Date(), idempotencyKey: 'evt-1' };
      await db.event.create({ data: event });
      await expect(db.event.create({ data: event })).rejects.toMatchObject({ code: 'P2002' });
      expect(await db.event.count()).toBe(1);

      const entry = {
        key: 'wf-1/step-1/0', workflowId: 'wf-1', stepId: 'step-1', iteration: 0, customerId: 'c1', templateId: 't',
        locale: 'en', category: 'transactional', messageId: '<m1@example.com>',
      };
      await db.sendLedger.create({ data: entry });
      await expect(db.sendLedger.create({ data: entry })).rejects.toMatchObject({ code: 'P2002' });
      expect(await db.sendLedger.count()).toBe(1);
    } finally {
      await db.$disconnect();
    }
  });

  test('a broken DATABASE_URL gives a one-line error that says what to fix', async () => {
    await expect(migrateDatabase('mysql://user:hunter22@localhost/db')).rejects.toThrow(
      'DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), not "mysql:"');
    await expect(migrateDatabase('')).rejects.toThrow(/^DATABASE_URL is empty/);
    await expect(migrateDatabase('file:')).rejects.toThrow(/^DATABASE_URL names no SQLite file/);

    // A directory that cannot be created: its parent is a regular file.
    const blocker = path.join(tmp.dir, 'not-a-directory');
    fs.writeFileSync(blocker, '');
    const err = await migrateDatabase(`file:${path.join(blocker, 'db', 'x.db')}`).then(() => undefined, (e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/^cannot create the directory .*not-a-directory\/db for the SQLite database \(DATABASE_URL\)/);
    expectOneLineError(err!.message);
  });

  test('a file that is not a SQLite database gives a one-line error', async () => {
    fs.mkdirSync(path.dirname(tmp.file), { recursive: true });
    fs.writeFileSync(tmp.file, 'this is not a database, just text that is long enough to fill a header page '.repeat(20));
    const err = await migrateDatabase(tmp.url).then(() => undefined, (e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/DATABASE_URL/);
    expect(err!.message).toMatch(/not a database/);
    expectOneLineError(err!.message);
  });
});
