'use strict';
// Serves the schema engine's JSON-RPC methods with the wasm engine and a driver adapter, filling in
// what the wasm build leaves out (database creation, SQLite reset, the diff `print` callback) and
// working around its known quirks.
const fs = require('node:fs');
const { loadSchemaEngineWasm, lastPanicMessage } = require('./wasm');
const { EnginePanic, KnownError, isWasmPanic } = require('./errors');
const {
  providerOfUrl, providerOfSchemaText, providerOfLockfile,
} = require('./datasource');
const log = require('./log');

function providerModule(provider) {
  return provider === 'sqlite' ? require('./sqlite') : require('./postgres');
}

// dev_diagnostic.rs adds this paragraph to a drift report when the migrations table is missing.
const DRIFT_DETECTED_MESSAGE = 'Drift detected: Your database schema is not in sync with your migration history.\n\n' +
  'The following is a summary of the differences between the expected database schema given your migrations files, ' +
  'and the actual schema of the database.\n\nIt should be understood as the set of changes to get from the expected schema to the actual schema.\n';
const FIRST_TIME_MIGRATION_MESSAGE = '\nIf you are running this the first time on an existing database, please make sure to read this documentation page:\n' +
  'https://www.prisma.io/docs/guides/database/developing-with-prisma-migrate/troubleshooting-development\n';

// Methods that read `_prisma_migrations` without meaning to create it.
const READS_MIGRATIONS_TABLE = new Set([
  'diagnoseMigrationHistory', 'devDiagnostic', 'evaluateDataLoss', 'createMigration', 'markMigrationRolledBack', 'diff',
]);

const WASM_METHODS = new Set([
  'applyMigrations', 'createMigration', 'dbExecute', 'debugPanic', 'devDiagnostic', 'diagnoseMigrationHistory',
  'ensureConnectionValidity', 'evaluateDataLoss', 'introspect', 'diff', 'markMigrationApplied', 'markMigrationRolledBack',
  'reset', 'schemaPush', 'introspectSql',
]);
const OWN_METHODS = new Set(['getDatabaseVersion', 'createDatabase', 'dropDatabase']);

class MethodNotFound extends Error {
  constructor(method) {
    super(`Method not found: ${method}`);
    this.name = 'MethodNotFound';
  }
}

function readSchemaFiles(paths) {
  if (!paths || paths.length === 0) return undefined;
  return paths.map((file) => {
    try {
      return [file, fs.readFileSync(file, 'utf8')];
    } catch (error) {
      throw new Error(`Error opening datamodel file in \`${file}\`: ${error.message}`);
    }
  });
}

/**
 * A migration script that fails comes back from the wasm engine as a bare driver error followed by
 * a span trace. The native engine reports it as P3018, which the CLI (and our own callers) present
 * clearly: rebuild that error from the pieces.
 */
function migrationFailedError(error) {
  const message = String(error && error.message);
  const name = /apply_migration::apply_script\s+with migration_name="([^"]+)"/.exec(message);
  if (!name || (error && error.code)) return error;
  const databaseError = message
    .split(/\n\s*\d+: /)[0]
    .replace(/^external connector error\s*/, '')
    .replace(/^Error querying the database: /, '')
    .trim();
  return new KnownError('P3018',
    'A migration failed to apply. New migrations cannot be applied before the error is recovered from. ' +
    'Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\n' +
    `Migration name: ${name[1]}\n\nDatabase error:\n${databaseError}\n`,
    { migration_name: name[1], database_error: databaseError });
}

function diffTargetTags(params) {
  return [params && params.from, params && params.to].filter(Boolean).map((t) => t.tag);
}

function urlOfDatasourceParam(param, fallback) {
  if (param && param.tag === 'ConnectionString' && param.url) return param.url;
  return fallback;
}

class EngineHost {
  /**
   * @param {{ datamodels?: string[], datasource: { url?: string, shadowDatabaseUrl?: string }, cwd?: string }} options
   */
  constructor({ datamodels, datasource, cwd = process.cwd() }) {
    this.schemaFiles = readSchemaFiles(datamodels);
    this.datasource = datasource || {};
    this.cwd = cwd;
    this.engine = undefined;
    this.factory = undefined;
    this.provider = undefined;
    this.poisoned = undefined;
    this.hooks = {
      tolerateMissingMigrationsTable: false,
      sawMissingMigrationsTable: false,
      mainAdapter: undefined,
      shadowDatabaseError: undefined,
    };
  }

  /** sqlite | postgres, from the URL first, then the schema, then the request itself. */
  resolveProvider(params) {
    const schemaProvider = (this.schemaFiles || []).map(([, text]) => providerOfSchemaText(text)).find(Boolean);
    if (this.datasource.url) {
      const urlProvider = providerOfUrl(this.datasource.url);
      // The native engine validates this; the wasm engine would happily migrate the wrong database.
      if (schemaProvider && schemaProvider !== urlProvider) {
        const expected = schemaProvider === 'sqlite' ? '`file:`' : '`postgresql://` or `postgres://`';
        throw new KnownError('P1012',
          `Error validating datasource \`db\`: the URL must start with the protocol ${expected}: the schema's provider is ` +
          `\`${schemaProvider === 'postgres' ? 'postgresql' : schemaProvider}\`.`);
      }
      return urlProvider;
    }
    const candidates = [schemaProvider];
    for (const target of [params && params.from, params && params.to, params && params.schema]) {
      if (!target) continue;
      for (const file of target.files || []) candidates.push(providerOfSchemaText(file.content));
      if (target.lockfile) candidates.push(providerOfLockfile(target.lockfile.content));
    }
    const found = candidates.find(Boolean);
    if (found === 'sqlite' || found === 'postgres') return found;
    if (found) {
      throw new KnownError('P1012', `This schema engine stand-in supports the sqlite and postgresql providers, not \`${found}\`.`);
    }
    throw new KnownError('P1012',
      'No datasource URL was given to the schema engine: set `datasource.url` in your Prisma config file (e.g. from DATABASE_URL).');
  }

  /** Starts the wasm engine on first use, with a connection suited to the first request. */
  async ensureEngine(method, params) {
    if (this.engine) return this.engine;
    const provider = this.resolveProvider(params);
    let url = this.datasource.url;
    if (method === 'diff') {
      const tags = diffTargetTags(params);
      const needsLiveDatabase = tags.includes('schemaDatasource') || tags.includes('url');
      // A diff between schemas and migration folders must not create or touch the dev database.
      if (!needsLiveDatabase && provider === 'sqlite') url = undefined;
      if (!url && provider === 'postgres' && (needsLiveDatabase || tags.includes('migrations'))) {
        throw new KnownError('P1012',
          'This diff needs a PostgreSQL server (for the shadow database or the live schema): set `datasource.url` in your Prisma config file.');
      }
    }
    if (provider === 'postgres' && !url && method !== 'diff') {
      throw new KnownError('P1012', 'No PostgreSQL URL was given to the schema engine: set `datasource.url` in your Prisma config file.');
    }
    const mod = providerModule(provider);
    await mod.preflight(url, this.cwd);
    this.provider = provider;
    this.factory = mod.createFactory({
      url, shadowDatabaseUrl: this.datasource.shadowDatabaseUrl, cwd: this.cwd, hooks: this.hooks,
    });
    const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');
    const wasm = await loadSchemaEngineWasm();
    this.boundFactory = bindMigrationAwareSqlAdapterFactory(this.factory);
    this.engine = await this.guard(() => wasm.SchemaEngine.new(
      { datamodels: this.schemaFiles },
      (line) => log.forwardEngineLog(line),
      this.boundFactory,
    ));
    return this.engine;
  }

  /** Runs a call into wasm, turning a trap into an EnginePanic and retiring the instance. */
  async guard(fn) {
    if (this.poisoned) {
      throw new EnginePanic(`The schema engine panicked earlier in this process and cannot serve more requests: ${this.poisoned}`);
    }
    try {
      return await fn();
    } catch (error) {
      if (isWasmPanic(error)) {
        const message = lastPanicMessage() || `RuntimeError: ${error.message}`;
        this.poisoned = message;
        throw new EnginePanic(message, error.stack);
      }
      if (this.hooks.shadowDatabaseError) {
        const shadowError = this.hooks.shadowDatabaseError;
        this.hooks.shadowDatabaseError = undefined;
        throw shadowError;
      }
      throw this.resolveExternalError(error);
    }
  }

  /**
   * A JS error thrown inside an adapter reaches the engine as "External error id#N"; the original
   * is kept in the bound factory's error registry. Put its message back so the user sees it.
   */
  resolveExternalError(error) {
    const match = /External error id#(\d+)/.exec(error && error.message);
    if (!match || !this.boundFactory) return error;
    const record = this.boundFactory.errorRegistry.consumeError(Number(match[1]));
    if (!record) return error;
    const original = record.error;
    if (original instanceof KnownError) return original;
    const detail = original && original.message ? original.message : String(original);
    const resolved = new Error(String(error.message).replace(match[0], detail).trim());
    if (error.code) resolved.code = error.code;
    return resolved;
  }

  async callWasm(method, params) {
    const engine = await this.ensureEngine(method, params);
    // Called as a method (not a detached function): wasm-bindgen methods need their `this`.
    if (method === 'debugPanic') return this.guard(async () => engine.debugPanic());
    return this.guard(() => engine[method](params));
  }

  async withMissingMigrationsTableTolerated(fn) {
    if (this.provider !== 'sqlite') return fn();
    this.hooks.tolerateMissingMigrationsTable = true;
    this.hooks.sawMissingMigrationsTable = false;
    try {
      return await fn();
    } finally {
      this.hooks.tolerateMissingMigrationsTable = false;
    }
  }

  /**
   * Serves one JSON-RPC request.
   * @param {string} method
   * @param {any} params
   * @param {{ print(content: string): Promise<void> }} client calls back into the CLI
   */
  async handle(method, params, client) {
    if (OWN_METHODS.has(method)) return this.handleOwn(method, params);
    if (!WASM_METHODS.has(method)) throw new MethodNotFound(method);

    switch (method) {
      case 'diff': {
        const result = await this.withSqliteQuirks(method, params);
        // The native engine prints the diff through the CLI's `print` callback and returns no stdout.
        if (result && typeof result.stdout === 'string' && result.stdout.length > 0) {
          await client.print(result.stdout.endsWith('\n') ? result.stdout.slice(0, -1) : result.stdout);
        }
        return { exitCode: result ? result.exitCode : 0, stdout: null };
      }
      case 'reset':
        return this.reset(params);
      case 'dbExecute':
        return this.dbExecute(params);
      case 'ensureConnectionValidity': {
        const url = urlOfDatasourceParam(params && params.datasource, this.datasource.url);
        if (url && url !== this.datasource.url) {
          await providerModule(providerOfUrl(url)).canConnect(url, this.cwd);
          return {};
        }
        return this.callWasm(method, params);
      }
      case 'applyMigrations':
        try {
          return await this.withSqliteQuirks(method, params);
        } catch (error) {
          throw migrationFailedError(error);
        }
      case 'markMigrationApplied':
        await this.ensureEngine(method, params);
        if (this.provider === 'sqlite') await this.ensureSqliteMigrationsTableForBaseline(params);
        return this.callWasm(method, params);
      default:
        return this.withSqliteQuirks(method, params);
    }
  }

  async withSqliteQuirks(method, params) {
    await this.ensureEngine(method, params);
    if (!READS_MIGRATIONS_TABLE.has(method)) return this.callWasm(method, params);
    const result = await this.withMissingMigrationsTableTolerated(() => this.callWasm(method, params));
    if (this.provider === 'sqlite' && this.hooks.sawMissingMigrationsTable) {
      if (method === 'diagnoseMigrationHistory') return { ...result, hasMigrationsTable: false };
      if (method === 'devDiagnostic' && result.action && result.action.tag === 'reset') {
        const reason = String(result.action.reason);
        const at = reason.indexOf(DRIFT_DETECTED_MESSAGE);
        if (at >= 0) {
          const end = at + DRIFT_DETECTED_MESSAGE.length;
          return { ...result, action: { ...result.action, reason: reason.slice(0, end) + FIRST_TIME_MIGRATION_MESSAGE + reason.slice(end) } };
        }
      }
    }
    return result;
  }

  /**
   * `migrate resolve --applied` on a database without migrations table: the native engine creates
   * the table (baselining). The wasm engine would fail reading it, so it is created first — only
   * when the engine would get that far, i.e. the named migration exists in the folder.
   */
  async ensureSqliteMigrationsTableForBaseline(params) {
    const sqlite = require('./sqlite');
    const dirs = (params && params.migrationsList && params.migrationsList.migrationDirectories) || [];
    const dir = dirs.find((d) => d.path === params.migrationName);
    if (!dir || !dir.migrationFile || !dir.migrationFile.content || dir.migrationFile.content.tag !== 'ok') return;
    const adapter = this.hooks.mainAdapter;
    if (!(await sqlite.migrationsTableExists(adapter))) await sqlite.createMigrationsTable(adapter);
  }

  async reset(params) {
    await this.ensureEngine('reset', params);
    if (this.provider === 'sqlite') {
      // The wasm engine's SQLite reset leaves the schema in place; empty it on the engine's connection.
      await require('./sqlite').resetDatabase(this.hooks.mainAdapter);
      return {};
    }
    await this.callWasm('reset', params);
    return {};
  }

  async dbExecute(params) {
    const target = params && params.datasourceType;
    const url = target && target.tag === 'url' ? target.url : this.datasource.url;
    if (url && url !== this.datasource.url) {
      await providerModule(providerOfUrl(url)).executeScriptAt(url, this.cwd, params.script);
      return {};
    }
    await this.callWasm('dbExecute', params);
    return {};
  }

  async handleOwn(method, params) {
    switch (method) {
      case 'getDatabaseVersion': {
        const url = urlOfDatasourceParam(params && params.datasource, this.datasource.url);
        if (url && url !== this.datasource.url) throw new KnownError('P1012', 'getDatabaseVersion only serves the configured datasource.');
        return this.callWasm('version', undefined);
      }
      case 'createDatabase': {
        const url = urlOfDatasourceParam(params && params.datasource, this.datasource.url);
        if (!url) throw new KnownError('P1012', 'createDatabase needs a datasource URL.');
        const databaseName = await providerModule(providerOfUrl(url)).createDatabase(url, this.cwd);
        return { databaseName };
      }
      case 'dropDatabase': {
        const url = typeof params === 'string' ? params : urlOfDatasourceParam(params && params.datasource, this.datasource.url);
        if (!url) throw new KnownError('P1012', 'dropDatabase needs a datasource URL.');
        await providerModule(providerOfUrl(url)).dropDatabase(url, this.cwd);
        return {};
      }
      default:
        throw new MethodNotFound(method);
    }
  }

  /** Closes connections and drops leftover temporary databases. Safe to call more than once. */
  async dispose() {
    const engine = this.engine;
    this.engine = undefined;
    if (engine && !this.poisoned) {
      try {
        engine.free();
      } catch (error) {
        log.debug(`Freeing the wasm engine failed: ${error.message}`);
      }
    }
    const adapter = this.hooks.mainAdapter;
    this.hooks.mainAdapter = undefined;
    if (adapter) await adapter.dispose().catch((error) => log.debug(`Closing the database connection failed: ${error.message}`));
    if (this.factory) await this.factory.cleanup();
  }
}

module.exports = { EngineHost, MethodNotFound };
