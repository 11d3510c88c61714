// One Prisma client for either database. Both generated clients come from the same models
// (prisma/postgresql/schema.prisma is derived from prisma/schema.prisma), so the SQLite client's
// type describes both; the PostgreSQL one is cast to it.
// Each provider's client and driver adapter is loaded only when a database of that kind is opened:
// a process on SQLite never loads pg, one on PostgreSQL never loads better-sqlite3.
import fs from 'node:fs';
import path from 'node:path';
import type { PrismaClient as SqliteClient } from '../../generated/prisma/sqlite/client';
import { ConfigError, type DatabaseConfig, DEFAULT_DB_POOL_SIZE, parseDatabaseUrl } from '../../domain/config';

export type Db = SqliteClient;
export type { Prisma } from '../../generated/prisma/sqlite/client';

/** How long a query waits for a free pooled PostgreSQL connection before it fails. */
const POOL_WAIT_MS = 30_000;

export function createDb(database: DatabaseConfig | string): Db {
  const cfg = typeof database === 'string' ? parseDatabaseUrl(database) : database;
  if (cfg.provider === 'sqlite') {
    const file = cfg.url.slice('file:'.length);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { PrismaClient } = require('../../generated/prisma/sqlite/client') as typeof import('../../generated/prisma/sqlite/client');
    const { SerializedSqliteAdapterFactory } = require('./sqlite-serial') as typeof import('./sqlite-serial');
    // One connection per process, shared with other processes: see sqlite-serial.ts.
    return new PrismaClient({ adapter: new SerializedSqliteAdapterFactory({ url: file, timeout: 10_000 }) });
  }
  // A bounded pool: a burst of activities waits for a connection (up to POOL_WAIT_MS, then the
  // activity fails and Temporal retries it) instead of opening connections the server refuses.
  const pool = { connectionString: cfg.url, max: cfg.poolSize ?? DEFAULT_DB_POOL_SIZE, connectionTimeoutMillis: POOL_WAIT_MS };
  const { PrismaClient } = require('../../generated/prisma/postgresql/client') as typeof import('../../generated/prisma/postgresql/client');
  const { PrismaPg } = require('@prisma/adapter-pg') as typeof import('@prisma/adapter-pg');
  return new PrismaClient({ adapter: new PrismaPg(pool) }) as unknown as Db;
}

/** Fails with a one-line ConfigError when the database cannot be reached (bad host, auth, file). */
export async function checkDatabase(db: Db, cfg: DatabaseConfig): Promise<void> {
  try {
    await db.$queryRawUnsafe('SELECT 1');
    if (cfg.provider === 'sqlite') await tuneSqlite(db);
  } catch (err) {
    throw new ConfigError(describeDbError(err, cfg));
  }
}

/**
 * SQLite in write-ahead-log mode: readers no longer wait for the writer, and a commit is an append
 * instead of a journal rewrite (several times faster with a worker and the API on one file).
 * synchronous=NORMAL is durable against process crashes in WAL mode (only an OS crash or power loss
 * can lose the last commits), which is the embedded default's trade-off; PostgreSQL is for production.
 */
export async function tuneSqlite(db: Db): Promise<void> {
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
}

export function describeDbError(err: unknown, cfg: DatabaseConfig): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (cfg.provider === 'postgresql') {
    const u = new URL(cfg.url);
    const where = `${u.hostname}:${u.port || 5432}${u.pathname}`;
    if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|timeout/i.test(msg)) {
      return `cannot reach PostgreSQL at ${where} (DATABASE_URL): is the server running and the address right?`;
    }
    if (/password authentication|authentication failed|role .* does not exist/i.test(msg)) {
      return `PostgreSQL at ${where} rejected the credentials in DATABASE_URL: check user and password`;
    }
    if (/database .* does not exist/i.test(msg)) return `the database in DATABASE_URL (${where}) does not exist: create it or fix the name`;
    return `PostgreSQL at ${where} (DATABASE_URL) failed: ${msg.split('\n')[0]}`;
  }
  return `cannot open the SQLite database ${cfg.url} (DATABASE_URL): ${msg.split('\n')[0]}`;
}
