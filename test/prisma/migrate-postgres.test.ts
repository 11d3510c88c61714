// `migrateDatabase` and the stock Prisma CLI on PostgreSQL, through the schema engine stand-in.
// Needs TEST_POSTGRES_URL (a role with CREATEDB); every test uses its own database and drops it.
import fs from 'node:fs';
import { Client as PgClient } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from '../../generated/prisma/postgresql/client';
import { migrateDatabase } from '../../activities/db/migrate';
import {
  closedPort, dropPgDatabase, expectNoNewShadowDatabases, expectOk, expectOneLineError, pgDatabaseExists, POSTGRES_CONFIG, POSTGRES_MIGRATIONS,
  POSTGRES_SCHEMA, prisma, requirePostgresUrl, shadowDatabases, uniqueDatabaseName, withDatabase,
} from './support';

const MODELS = Object.values(Prisma.ModelName);

function client(url: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
}

function delegate(db: PrismaClient, model: string): { count(): Promise<number> } {
  const key = model.charAt(0).toLowerCase() + model.slice(1);
  return (db as unknown as Record<string, { count(): Promise<number> }>)[key];
}

async function appliedMigrations(url: string): Promise<Array<{ id: string; migration_name: string; finished_at: Date | null }>> {
  const c = new PgClient({ connectionString: url });
  await c.connect();
  try {
    return (await c.query('SELECT id, migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name')).rows;
  } finally {
    await c.end();
  }
}

function committedMigrationNames(): string[] {
  return fs.readdirSync(POSTGRES_MIGRATIONS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

describe('migrations on PostgreSQL (offline, schema engine stand-in)', () => {
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

  test('migrate deploy on a fresh database creates the database and every table', async () => {
    expect(await pgDatabaseExists(admin, name)).toBe(false);
    await migrateDatabase(url, { quiet: true });
    expect(await pgDatabaseExists(admin, name)).toBe(true);

    expect((await appliedMigrations(url)).map((m) => m.migration_name)).toEqual(committedMigrationNames());
    const db = client(url);
    try {
      for (const model of MODELS) {
        await expect(delegate(db, model).count()).resolves.toBe(0);
      }
    } finally {
      await db.$disconnect();
    }
  });

  test('a second deploy is a no-op', async () => {
    await migrateDatabase(url, { quiet: true });
    const before = await appliedMigrations(url);
    await migrateDatabase(url, { quiet: true });
    expect(await appliedMigrations(url)).toEqual(before);

    const again = await prisma(['migrate', 'deploy', '--config', POSTGRES_CONFIG], url);
    expectOk(again, 'migrate deploy');
    expect(again.stdout).toContain('No pending migrations to apply.');
    expect(await appliedMigrations(url)).toEqual(before);
  });

  test('migrate status reports the database up to date', async () => {
    await migrateDatabase(url, { quiet: true });
    const status = await prisma(['migrate', 'status', '--config', POSTGRES_CONFIG], url);
    expectOk(status, 'migrate status');
    expect(status.stdout).toContain('Database schema is up to date!');
  });

  test('the committed migrations match the schema (migrate diff is empty), and no shadow database is left', async () => {
    await migrateDatabase(url, { quiet: true });
    const shadowsBefore = await shadowDatabases(admin);

    const fromMigrations = await prisma(
      ['migrate', 'diff', '--from-migrations', POSTGRES_MIGRATIONS, '--to-schema', POSTGRES_SCHEMA, '--exit-code', '--config', POSTGRES_CONFIG], url);
    expect(fromMigrations.stdout).toContain('No difference detected.');
    expect(fromMigrations.code).toBe(0);

    const fromDatabase = await prisma(
      ['migrate', 'diff', '--from-config-datasource', '--to-schema', POSTGRES_SCHEMA, '--exit-code', '--config', POSTGRES_CONFIG], url);
    expect(fromDatabase.stdout).toContain('No difference detected.');
    expect(fromDatabase.code).toBe(0);

    await expectNoNewShadowDatabases(admin, shadowsBefore);
  });

  test('unique constraints hold: Event.idempotencyKey and SendLedger.key', async () => {
    await migrateDatabase(url, { quiet: true });
    const db = client(url);
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

  test('an unreachable server gives a one-line error without the password', async () => {
    const port = await closedPort();
    const broken = `postgresql://someone:pa55-secret@127.0.0.1:${port}/${name}`;
    const err = await migrateDatabase(broken).then(() => undefined, (e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toBe(`cannot reach the database at 127.0.0.1:${port} (DATABASE_URL): is PostgreSQL running?`);
    expectOneLineError(err!.message, 'pa55-secret');
  });

  test('wrong credentials give a one-line error without the password', async () => {
    const u = new URL(url);
    u.password = 'definitely-wrong-password';
    // Servers with `trust` authentication accept any password: use a user that does not exist.
    u.username = `nobody_${name.slice(-8)}`;
    const err = await migrateDatabase(u.toString()).then(() => undefined, (e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/rejected the credentials of user "nobody_\w+": check the user name and password in DATABASE_URL$/);
    expectOneLineError(err!.message, 'definitely-wrong-password');
  });
});
