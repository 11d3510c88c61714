'use strict';
// SQLite through @prisma/adapter-better-sqlite3, with the fixes the wasm engine needs, plus the
// operations the wasm engine does not implement for SQLite (create, drop, reset).
const fs = require('node:fs');
const path = require('node:path');
const { known } = require('./errors');
const { sqliteTarget } = require('./datasource');

// Loaded on first use: `--version` and `--help` must work without the native better-sqlite3 build.
function betterSqlite3() {
  return require('better-sqlite3');
}
function adapterPackage() {
  return require('@prisma/adapter-better-sqlite3');
}

const MIGRATIONS_TABLE = '_prisma_migrations';

// The engine's own DDL for the migrations table (sql-schema-connector, SQLite flavour), used when
// `migrate resolve --applied` baselines a database that has none yet.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
);
`;

// ColumnTypeEnum values from @prisma/driver-adapter-utils.
const TEXT = 7;
const DATETIME = 10;
const INT64 = 1;

const EMPTY_MIGRATIONS_RESULT = {
  columnNames: ['id', 'checksum', 'finished_at', 'migration_name', 'logs', 'rolled_back_at', 'started_at', 'applied_steps_count'],
  columnTypes: [TEXT, TEXT, DATETIME, TEXT, TEXT, DATETIME, DATETIME, INT64],
  rows: [],
};

function isMissingMigrationsTable(error, query) {
  const cause = error && error.cause;
  const missing = cause && (
    (cause.kind === 'TableDoesNotExist' && String(cause.table || '').replace(/[`"]/g, '') === MIGRATIONS_TABLE) ||
    /no such table: _prisma_migrations\b/.test(String(cause.originalMessage || cause.message || '')));
  return Boolean(missing) && /^\s*SELECT\b/i.test(query.sql) && query.sql.includes(MIGRATIONS_TABLE);
}

function isMultiStatementError(error) {
  return error instanceof RangeError && /more than one statement/i.test(error.message);
}

/**
 * Wraps the better-sqlite3 driver adapter.
 * - The engine replays migrations on the shadow database with one multi-statement `executeRaw`,
 *   which better-sqlite3's `prepare` rejects: such calls run as a script instead.
 * - The engine (7.10) treats "no such table: _prisma_migrations" as fatal instead of "not
 *   initialised" when reading the migrations table. While `hooks.tolerateMissingMigrationsTable`
 *   is set, that read yields an empty table and `hooks.sawMissingMigrationsTable` records it, so
 *   the caller can report `hasMigrationsTable: false` as the native engine would.
 */
class SqliteAdapter {
  constructor(inner, hooks) {
    this.inner = inner;
    this.hooks = hooks;
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
    if (typeof inner.getConnectionInfo === 'function') this.getConnectionInfo = () => inner.getConnectionInfo();
  }

  async queryRaw(query) {
    try {
      return await this.inner.queryRaw(query);
    } catch (error) {
      if (this.hooks.tolerateMissingMigrationsTable && isMissingMigrationsTable(error, query)) {
        this.hooks.sawMissingMigrationsTable = true;
        return { ...EMPTY_MIGRATIONS_RESULT, rows: [] };
      }
      throw error;
    }
  }

  async executeRaw(query) {
    try {
      return await this.inner.executeRaw(query);
    } catch (error) {
      if (isMultiStatementError(error) && (!query.args || query.args.length === 0)) {
        await this.inner.executeScript(query.sql);
        return 0;
      }
      throw error;
    }
  }

  executeScript(script) {
    return this.inner.executeScript(script);
  }

  startTransaction(isolationLevel) {
    return this.inner.startTransaction(isolationLevel);
  }

  dispose() {
    return this.inner.dispose();
  }
}

function rawQuery(sql) {
  return { sql, args: [], argTypes: [] };
}

async function migrationsTableExists(adapter) {
  const result = await adapter.queryRaw(
    rawQuery(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = '${MIGRATIONS_TABLE}'`));
  return result.rows.length > 0;
}

async function createMigrationsTable(adapter) {
  await adapter.executeScript(CREATE_MIGRATIONS_TABLE);
}

function quoteIdent(name) {
  return `"${String(name).replace(/"/g, '""')}"`;
}

/**
 * Empties the database on the engine's own connection: every view, trigger, table (and with them
 * their indexes) goes. The file itself stays, because the engine keeps it open for the migrations
 * `migrate reset` applies right after.
 */
async function resetDatabase(adapter) {
  const objects = await adapter.queryRaw(rawQuery(
    "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger', 'table') AND name NOT LIKE 'sqlite_%'"));
  const fk = await adapter.queryRaw(rawQuery('PRAGMA foreign_keys'));
  const fkWasOn = fk.rows.length > 0 && Number(fk.rows[0][0]) === 1;
  const order = { view: 0, trigger: 1, table: 2 };
  const drops = objects.rows
    .map(([type, name]) => ({ type: String(type), name: String(name) }))
    .sort((a, b) => order[a.type] - order[b.type])
    .map(({ type, name }) => `DROP ${type.toUpperCase()} IF EXISTS ${quoteIdent(name)};`);
  if (drops.length > 0) {
    await adapter.executeScript(['PRAGMA foreign_keys = OFF;', ...drops].join('\n'));
    if (fkWasOn) await adapter.executeScript('PRAGMA foreign_keys = ON;');
  }
  // AUTOINCREMENT counters live in sqlite_sequence, which survives its tables.
  const seq = await adapter.queryRaw(rawQuery("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'"));
  if (seq.rows.length > 0) await adapter.executeScript('DELETE FROM sqlite_sequence;');
  await adapter.executeScript('VACUUM;');
}

/** The migration-aware adapter factory the wasm engine is built with. */
function createFactory({ url, shadowDatabaseUrl, cwd, hooks }) {
  const { PrismaBetterSqlite3 } = adapterPackage();
  const main = url ? sqliteTarget(url, cwd) : { path: ':memory:', name: ':memory:' };
  const shadow = shadowDatabaseUrl ? sqliteTarget(shadowDatabaseUrl, cwd) : { path: ':memory:', name: ':memory:' };
  if (shadow.path !== ':memory:' && shadow.path === main.path) {
    throw new Error('The shadow database URL names the same SQLite file as the main database URL; they must differ.');
  }
  const mainFactory = new PrismaBetterSqlite3({ url: main.path });
  const shadowFactory = new PrismaBetterSqlite3({ url: shadow.path });
  return {
    provider: 'sqlite',
    adapterName: mainFactory.adapterName,
    target: main,
    async connect() {
      const adapter = new SqliteAdapter(await mainFactory.connect(), hooks);
      if (!hooks.mainAdapter) hooks.mainAdapter = adapter;
      return adapter;
    },
    async connectToShadowDb() {
      if (shadow.path !== ':memory:') ensureParentDirectory(shadow.path);
      const adapter = new SqliteAdapter(await shadowFactory.connect(), hooks);
      // A configured shadow database file is scratch space: it is emptied before each use, as the
      // native engine does.
      if (shadow.path !== ':memory:') await resetDatabase(adapter);
      return adapter;
    },
    async cleanup() {},
  };
}

function ensureParentDirectory(file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
}

/** Checks the main database before the engine opens it, so a bad path gives a clear error. */
function preflight(url, cwd) {
  if (!url) return;
  const target = sqliteTarget(url, cwd);
  if (target.path === ':memory:') return;
  const dir = path.dirname(target.path);
  if (!fs.existsSync(dir)) {
    throw known.databaseDoesNotExist(target.name, target.path);
  }
}

// One-shot `cli` commands ------------------------------------------------------------------------

function canConnect(url, cwd) {
  const target = sqliteTarget(url, cwd);
  if (target.path === ':memory:') return;
  if (!fs.existsSync(target.path)) throw known.databaseDoesNotExist(target.name, target.path);
  const Database = betterSqlite3();
  const db = new Database(target.path, { readonly: true, fileMustExist: true });
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } finally {
    db.close();
  }
}

function createDatabase(url, cwd) {
  const target = sqliteTarget(url, cwd);
  if (target.path === ':memory:') return target.name;
  ensureParentDirectory(target.path);
  const Database = betterSqlite3();
  new Database(target.path).close();
  return target.name;
}

function dropDatabase(url, cwd) {
  const target = sqliteTarget(url, cwd);
  if (target.path === ':memory:') return;
  if (!fs.existsSync(target.path)) throw known.databaseDoesNotExist(target.name, target.path);
  for (const suffix of ['', '-journal', '-wal', '-shm']) {
    fs.rmSync(target.path + suffix, { force: true });
  }
}

/** Runs a script on a database other than the engine's own (`db execute` against another URL). */
async function executeScriptAt(url, cwd, script) {
  const target = sqliteTarget(url, cwd);
  const Database = betterSqlite3();
  const db = new Database(target.path);
  try {
    db.exec(script);
  } finally {
    db.close();
  }
}

module.exports = {
  createFactory,
  preflight,
  canConnect,
  createDatabase,
  dropDatabase,
  executeScriptAt,
  resetDatabase,
  migrationsTableExists,
  createMigrationsTable,
  CREATE_MIGRATIONS_TABLE,
};
