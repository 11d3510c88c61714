'use strict';
// Connection strings: which provider they select, and how to reach the database they name.
const path = require('node:path');
const { known } = require('./errors');
const { addRedaction } = require('./log');

/** The `--datasource` argument of the native engine: a JSON object with `url` (and maybe `shadowDatabaseUrl`). */
function parseDatasourceArg(json) {
  if (json === undefined) return {};
  let value;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`--datasource is not valid JSON: ${error.message}`);
  }
  if (!value || typeof value !== 'object') throw new Error('--datasource must be a JSON object');
  for (const key of ['url', 'shadowDatabaseUrl', 'directUrl']) {
    if (value[key] !== undefined && value[key] !== null && typeof value[key] !== 'string') {
      throw new Error(`--datasource: \`${key}\` must be a string`);
    }
  }
  return {
    url: value.url || undefined,
    shadowDatabaseUrl: value.shadowDatabaseUrl || undefined,
  };
}

/** 'sqlite' | 'postgres' for a connection string; a P1013 error for anything this engine cannot serve. */
function providerOfUrl(url) {
  if (/^file:/i.test(url)) return 'sqlite';
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  const scheme = String(url).split(':')[0] || '(none)';
  throw known.invalidUrl(
    `This schema engine stand-in supports SQLite (\`file:\` URLs) and PostgreSQL (\`postgresql://\` URLs), not \`${scheme}:\`.`);
}

/** The datasource provider named in Prisma schema text, as this engine calls it. */
function providerOfSchemaText(text) {
  const block = /datasource\s+\w+\s*\{([\s\S]*?)\}/m.exec(stripComments(text));
  if (!block) return undefined;
  const m = /provider\s*=\s*"([^"]+)"/.exec(block[1]);
  if (!m) return undefined;
  if (m[1] === 'sqlite') return 'sqlite';
  if (m[1] === 'postgresql' || m[1] === 'postgres') return 'postgres';
  return m[1];
}

function stripComments(text) {
  return String(text).replace(/\/\/.*$/gm, '');
}

/** The provider recorded in a migrations folder's migration_lock.toml. */
function providerOfLockfile(content) {
  const m = /provider\s*=\s*"([^"]+)"/.exec(String(content || ''));
  if (!m) return undefined;
  if (m[1] === 'sqlite') return 'sqlite';
  if (m[1] === 'postgresql' || m[1] === 'postgres') return 'postgres';
  return m[1];
}

/**
 * The file a `file:` URL names. Relative paths are relative to the working directory the CLI starts
 * the engine in. Query parameters (`?connection_limit=1`, ...) are ignored.
 */
function sqliteTarget(url, cwd = process.cwd()) {
  let rest;
  if (/^file:\/\//i.test(url)) {
    rest = decodeURIComponent(new URL(url).pathname);
  } else {
    rest = String(url).replace(/^file:/i, '');
    const q = rest.indexOf('?');
    if (q >= 0) rest = rest.slice(0, q);
  }
  if (rest === '') throw known.invalidUrl('The SQLite URL names no file (expected e.g. `file:./dev.db`).');
  if (rest === ':memory:') return { path: ':memory:', name: ':memory:' };
  const file = path.resolve(cwd, rest);
  return { path: file, name: path.basename(file) };
}

function decode(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * Explicit pg connection fields for a postgres:// URL. Fields (not `connectionString`) because pg
 * lets a connection string override an explicit `database`, which would silently point the shadow
 * database connection back at the main database.
 */
function postgresTarget(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw known.invalidUrl('The PostgreSQL URL could not be parsed (expected `postgresql://USER:PASSWORD@HOST:PORT/DATABASE`).');
  }
  const params = parsed.searchParams;
  const password = parsed.password ? decode(parsed.password) : undefined;
  addRedaction(password);
  addRedaction(parsed.password);
  let host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (params.get('host')) host = params.get('host');
  if (!host) host = 'localhost';
  const port = parsed.port ? Number(parsed.port) : Number(params.get('port') || 5432);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw known.invalidUrl(`Invalid port \`${parsed.port}\`.`);
  const database = decode(parsed.pathname.replace(/^\//, '')) || 'postgres';
  const user = parsed.username ? decode(parsed.username) : (process.env.PGUSER || process.env.USER || 'postgres');
  const schema = params.get('schema') || undefined;
  const timeoutSeconds = Number(params.get('connect_timeout') ?? 5);
  const config = {
    host,
    port,
    user,
    password,
    database,
    connectionTimeoutMillis: timeoutSeconds > 0 ? timeoutSeconds * 1000 : 0,
    application_name: params.get('application_name') || 'prisma-schema-engine-standin',
    ssl: sslConfig(params),
    // One connection is all the engine needs; more would only multiply the sessions a reset must end.
    max: 1,
  };
  if (schema) config.options = `-c search_path="${schema.replace(/"/g, '""')}"`;
  return { config, schema, location: `${host}:${port}`, database, user };
}

function sslConfig(params) {
  const mode = (params.get('sslmode') || '').toLowerCase();
  if (mode === 'require' || mode === 'verify-ca' || mode === 'verify-full') {
    const strict = mode !== 'require' || params.get('sslaccept') === 'strict';
    return { rejectUnauthorized: strict };
  }
  return false;
}

/** The same connection fields aimed at another database on the same server. */
function withDatabase(target, database) {
  return { ...target, database, config: { ...target.config, database } };
}

module.exports = {
  parseDatasourceArg,
  providerOfUrl,
  providerOfSchemaText,
  providerOfLockfile,
  sqliteTarget,
  postgresTarget,
  withDatabase,
};
