'use strict';
// PostgreSQL through @prisma/adapter-pg, with the fixes the wasm engine needs, plus the operations
// the engine does not do itself here (create/drop database, connection checks with clear errors).
const crypto = require('node:crypto');
const { known, KnownError } = require('./errors');
const { postgresTarget, withDatabase } = require('./datasource');
const log = require('./log');

function pg() {
  return require('pg');
}

// The engine's catalog queries return `"char"` (OID 18) and `name` (OID 19) columns, which the
// adapter does not map to a column type; they are plain text, so they are reported as `text`.
const TEXT_OID = 25;
const TEXT_LIKE_OIDS = new Set([18, 19]);

function fixFieldTypes(result) {
  for (const r of Array.isArray(result) ? result : [result]) {
    if (r && Array.isArray(r.fields)) {
      for (const field of r.fields) if (TEXT_LIKE_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

let PatchedClient;
function patchedClientClass() {
  if (!PatchedClient) {
    PatchedClient = class extends pg().Client {
      query(config, values, callback) {
        if (typeof values === 'function') {
          return super.query(config, (err, res) => values(err, err ? res : fixFieldTypes(res)));
        }
        if (typeof callback === 'function') {
          return super.query(config, values, (err, res) => callback(err, err ? res : fixFieldTypes(res)));
        }
        const out = super.query(config, values);
        return out && typeof out.then === 'function' ? out.then(fixFieldTypes) : out;
      }
    };
  }
  return PatchedClient;
}

function quoteIdent(name) {
  return `"${String(name).replace(/"/g, '""')}"`;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE']);

/** A Prisma user-facing error for a failure to connect, or the error itself when it is something else. */
function connectError(error, target) {
  const [host, port] = [target.config.host, target.config.port];
  const code = error && error.code;
  const message = String(error && error.message);
  if (UNREACHABLE_CODES.has(code) || /timeout expired|connection timeout|Connection terminated unexpectedly/i.test(message)) {
    return known.notReachable(host, port);
  }
  // A role that does not exist is a credentials problem too (servers with `trust` auth say so).
  if (code === '28P01' || (code === '28000' && /role .* does not exist/.test(message))) {
    return known.authenticationFailed(target.config.user);
  }
  if (code === '28000' || code === '42501') return known.accessDenied(target.config.user, target.config.database);
  if (code === '3D000') return known.databaseDoesNotExist(target.config.database, `${host}:${port}`);
  return error;
}

/** Runs `fn` with one plain pg client, connected with explicit fields; connection errors become P10xx. */
async function withClient(target, fn) {
  const Client = pg().Client;
  const client = new Client({ ...target.config });
  // An idle socket error after the work is done must not crash the process.
  client.on('error', (error) => log.debug(`PostgreSQL connection error: ${error.message}`));
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw connectError(error, target);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Connects to the server's maintenance database (for CREATE/DROP DATABASE). */
async function withMaintenanceClient(target, fn) {
  const candidates = ['postgres', 'template1'].filter((db) => db !== target.database);
  let lastError;
  for (const db of candidates) {
    try {
      return await withClient(withDatabase(target, db), fn);
    } catch (error) {
      lastError = error;
      if (!(error instanceof KnownError && error.errorCode === 'P1003')) throw error;
    }
  }
  throw lastError;
}

/**
 * Wraps the pg driver adapter.
 * - Scripts (migrations, `db execute`) run as one simple-protocol query, as the native engine runs
 *   them: PostgreSQL then executes them in one implicit transaction, so a failing migration leaves
 *   nothing half-applied, and statements are not split at every `;` (which breaks `;` in strings).
 */
class PgAdapter {
  constructor(inner, pool, onDispose) {
    this.inner = inner;
    this.pool = pool;
    this.onDispose = onDispose;
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
  }

  queryRaw(query) {
    return this.inner.queryRaw(query);
  }

  executeRaw(query) {
    return this.inner.executeRaw(query);
  }

  async executeScript(script) {
    try {
      await this.pool.query(script);
    } catch (error) {
      this.inner.onError(error);
    }
  }

  startTransaction(isolationLevel) {
    return this.inner.startTransaction(isolationLevel);
  }

  getConnectionInfo() {
    return this.inner.getConnectionInfo();
  }

  async dispose() {
    await this.inner.dispose();
    if (this.onDispose) await this.onDispose();
  }
}

async function connectAdapter(target) {
  const { PrismaPg } = require('@prisma/adapter-pg');
  const Pool = pg().Pool;
  const pool = new Pool({ ...target.config, Client: patchedClientClass() });
  pool.on('error', (error) => log.debug(`PostgreSQL pool error: ${error.message}`));
  const factory = new PrismaPg(pool, { schema: target.schema, disposeExternalPool: true });
  return { inner: await factory.connect(), pool };
}

/** Drops every schema the shadow database may hold, so a configured shadow database starts empty. */
async function emptyDatabase(target) {
  await withClient(target, async (client) => {
    const { rows } = await client.query(
      "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg_temp_%' AND nspname NOT LIKE 'pg_toast_temp_%'");
    const statements = rows.map((r) => `DROP SCHEMA ${quoteIdent(r.nspname)} CASCADE;`);
    statements.push(`CREATE SCHEMA ${quoteIdent(target.schema || 'public')};`);
    await client.query(statements.join('\n'));
  });
}

/**
 * Stands in for a connection when `migrate diff` compares only schemas and/or the empty schema and
 * no datasource URL is configured: the engine needs an adapter, and such a diff never touches a
 * database. The only query answered is the engine's startup probe, as a PostgreSQL 15 server would;
 * anything else fails with a message asking for a URL.
 */
class DisconnectedAdapter {
  constructor() {
    this.provider = 'postgres';
    this.adapterName = '@prisma/adapter-pg';
  }
  fail() {
    return Promise.reject(new Error('No PostgreSQL URL was given to the schema engine: set `datasource.url` in your Prisma config file.'));
  }
  queryRaw(query) {
    if (/\bversion\(\)/.test(query.sql) && /server_version_num/.test(query.sql) && /pg_namespace/.test(query.sql)) {
      // Columns: EXISTS (the probed schema), version(), server_version_num.
      return Promise.resolve({
        columnNames: ['exists', 'version', 'numeric_version'],
        columnTypes: [5, 7, 0],
        rows: [[true, 'PostgreSQL 15.0 (no server: offline diff by the schema engine stand-in)', 150000]],
      });
    }
    return this.fail();
  }
  executeRaw() {
    return this.fail();
  }
  executeScript() {
    return this.fail();
  }
  startTransaction() {
    return this.fail();
  }
  getConnectionInfo() {
    return { supportsRelationJoins: true };
  }
  async dispose() {}
}

/** The migration-aware adapter factory the wasm engine is built with. */
function createFactory({ url, shadowDatabaseUrl, hooks }) {
  if (!url) {
    return {
      provider: 'postgres',
      adapterName: '@prisma/adapter-pg',
      connect: async () => new DisconnectedAdapter(),
      connectToShadowDb: async () => new DisconnectedAdapter(),
      cleanup: async () => {},
    };
  }
  const main = postgresTarget(url);
  const configuredShadow = shadowDatabaseUrl ? postgresTarget(shadowDatabaseUrl) : undefined;
  if (configuredShadow && configuredShadow.location === main.location && configuredShadow.database === main.database) {
    throw new Error('The shadow database URL names the same database as the main database URL; they must differ.');
  }
  const temporaryDatabases = new Set();

  async function dropTemporary(name) {
    await withMaintenanceClient(main, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`));
    temporaryDatabases.delete(name);
  }

  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    target: main,
    async connect() {
      const { inner, pool } = await connectAdapter(main);
      const adapter = new PgAdapter(inner, pool);
      if (!hooks.mainAdapter) hooks.mainAdapter = adapter;
      return adapter;
    },
    async connectToShadowDb() {
      if (configuredShadow) {
        await emptyDatabase(configuredShadow);
        const { inner, pool } = await connectAdapter(configuredShadow);
        return new PgAdapter(inner, pool);
      }
      // A throwaway database next to the main one, created with explicit connection fields so the
      // connection really goes to it, and dropped after its pool is closed (PostgreSQL refuses to
      // drop a database that still has sessions).
      const name = `prisma_migrate_shadow_db_${crypto.randomUUID()}`;
      try {
        await withClient(main, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
      } catch (error) {
        hooks.shadowDatabaseError = known.shadowDatabaseNotCreatable(
          error instanceof KnownError ? `${error.errorCode}\n${error.message}` : `${error.code || ''}\n${error.message}`);
        throw error;
      }
      temporaryDatabases.add(name);
      const shadow = withDatabase(main, name);
      const { inner, pool } = await connectAdapter(shadow);
      return new PgAdapter(inner, pool, () => dropTemporary(name));
    },
    /** Drops temporary shadow databases the engine did not dispose of (e.g. after a failure). */
    async cleanup() {
      for (const name of [...temporaryDatabases]) {
        await dropTemporary(name).catch((error) => log.warn(`Could not drop the shadow database ${name}: ${error.message}`));
      }
    },
  };
}

/** Checks the main database before the engine connects, so connection problems give P10xx errors. */
async function preflight(url) {
  if (!url) return;
  await withClient(postgresTarget(url), (client) => client.query('SELECT 1'));
}

// One-shot `cli` commands ------------------------------------------------------------------------

async function canConnect(url) {
  await preflight(url);
}

async function createDatabase(url) {
  const target = postgresTarget(url);
  await withMaintenanceClient(target, async (client) => {
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(target.database)}`);
    } catch (error) {
      if (error.code === '42P04') throw known.databaseAlreadyExists(target.database, target.config.host, target.config.port);
      throw error;
    }
  });
  return target.database;
}

async function dropDatabase(url) {
  const target = postgresTarget(url);
  await withMaintenanceClient(target, async (client) => {
    try {
      await client.query(`DROP DATABASE ${quoteIdent(target.database)}`);
    } catch (error) {
      if (error.code === '3D000') throw known.databaseDoesNotExist(target.database, target.location);
      throw error;
    }
  });
}

/** Runs a script on a database other than the engine's own (`db execute` against another URL). */
async function executeScriptAt(url, _cwd, script) {
  await withClient(postgresTarget(url), (client) => client.query(script));
}

/**
 * `migrate reset`: drops and recreates the schema(s) the datasource uses, as the native engine does
 * when it may not drop the whole database.
 */
async function resetDatabase(url, schemas) {
  const target = postgresTarget(url);
  const names = schemas && schemas.length ? schemas : [target.schema || 'public'];
  await withClient(target, async (client) => {
    const statements = [];
    for (const name of names) {
      statements.push(`DROP SCHEMA IF EXISTS ${quoteIdent(name)} CASCADE;`, `CREATE SCHEMA ${quoteIdent(name)};`);
    }
    await client.query(statements.join('\n'));
  });
}

module.exports = {
  createFactory,
  preflight,
  canConnect,
  createDatabase,
  dropDatabase,
  executeScriptAt,
  resetDatabase,
};
