// Shared helpers for the Prisma migration tests: run the stock Prisma CLI with the schema engine
// stand-in, and make throwaway SQLite files and PostgreSQL databases. Real databases only.
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';

/** The part of better-sqlite3 the tests use (the project has no @types/better-sqlite3). */
export interface SqliteDatabase {
  prepare(sql: string): { all(...args: unknown[]): unknown[]; get(...args: unknown[]): unknown; run(...args: unknown[]): unknown };
  exec(sql: string): void;
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const Sqlite = require('better-sqlite3') as new (file: string, options?: { readonly?: boolean }) => SqliteDatabase;

export const ROOT = path.resolve(__dirname, '..', '..');
export const PRISMA_CLI = path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js');
export const STANDIN = path.join(ROOT, 'scripts', 'prisma-schema-engine');
export const SQLITE_CONFIG = path.join(ROOT, 'prisma', 'sqlite.config.ts');
export const POSTGRES_CONFIG = path.join(ROOT, 'prisma', 'postgresql.config.ts');
export const SQLITE_SCHEMA = path.join(ROOT, 'prisma', 'schema.prisma');
export const POSTGRES_SCHEMA = path.join(ROOT, 'prisma', 'postgresql', 'schema.prisma');
export const SQLITE_MIGRATIONS = path.join(ROOT, 'prisma', 'migrations');
export const POSTGRES_MIGRATIONS = path.join(ROOT, 'prisma', 'postgresql', 'migrations');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the Prisma CLI against `databaseUrl` with PRISMA_SCHEMA_ENGINE_BINARY set to the stand-in. */
export function prisma(args: string[], databaseUrl: string | undefined, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: STANDIN,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    ...env,
  };
  if (databaseUrl === undefined) delete childEnv.DATABASE_URL;
  else childEnv.DATABASE_URL = databaseUrl;
  return new Promise((resolve) => {
    execFile(process.execPath, [PRISMA_CLI, ...args], { cwd: ROOT, env: childEnv, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Fails the test with the CLI's own output when it did not exit 0. */
export function expectOk(result: CliResult, what: string): void {
  if (result.code !== 0) {
    throw new Error(`${what} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
}

export interface TempSqlite {
  dir: string;
  file: string;
  url: string;
  cleanup(): void;
}

/** A path for a SQLite database that does not exist yet, inside a fresh temp directory. */
export function tempSqlite(): TempSqlite {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-prisma-'));
  const file = path.join(dir, 'nested', 'test.db');
  return { dir, file, url: `file:${file}`, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** TEST_POSTGRES_URL, or a failure that says how to provide it (these tests never skip silently). */
export function requirePostgresUrl(): string {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) {
    throw new Error(
      'TEST_POSTGRES_URL is not set: point it at a PostgreSQL server whose role has CREATEDB, e.g. ' +
      'TEST_POSTGRES_URL=postgresql://user:password@127.0.0.1:5432/postgres (npm test sets it from its global setup)');
  }
  return url;
}

/** The admin URL with another database name. */
export function withDatabase(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export function uniqueDatabaseName(prefix = 'prisma_test'): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

async function withAdmin<T>(adminUrl: string, fn: (c: PgClient) => Promise<T>): Promise<T> {
  const c = new PgClient({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export function dropPgDatabase(adminUrl: string, name: string): Promise<void> {
  return withAdmin(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}

export function pgDatabaseExists(adminUrl: string, name: string): Promise<boolean> {
  return withAdmin(adminUrl, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
}

/** Names of the throwaway shadow databases the engine creates; none may outlive a command. */
export function shadowDatabases(adminUrl: string): Promise<string[]> {
  return withAdmin(adminUrl, async (c) =>
    (await c.query("SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'")).rows.map((r) => String(r.datname)));
}

/**
 * No shadow database created since `before` may outlive its command. Other suites may run
 * `migrate dev` on the same server at the same time, so a new name only counts as leaked if it
 * is still there after their commands had time to finish.
 */
export async function expectNoNewShadowDatabases(adminUrl: string, before: string[], waitMs = 15_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  let added: string[] = [];
  for (;;) {
    added = (await shadowDatabases(adminUrl)).filter((name) => !before.includes(name));
    if (added.length === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(added).toEqual([]);
}

/** A loopback port nothing listens on. */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface EngineSession {
  /** Sends one JSON-RPC request and waits for the response with the same id. */
  request(method: string, params?: unknown): Promise<{ result?: unknown; error?: { code: number; message: string; data?: Record<string, unknown> } }>;
  /** Writes a raw line to the engine's stdin. */
  writeLine(line: string): void;
  /** Every stdout line so far. */
  stdoutLines(): string[];
  stderrText(): string;
  /** Closes stdin and resolves with the exit code. */
  close(): Promise<number | null>;
}

/** Starts the stand-in in JSON-RPC mode, the way the Prisma CLI does. */
export function startEngine(args: string[], options: { onRequest?: (msg: { id: number; method: string; params: unknown }) => unknown } = {}): EngineSession {
  const child = spawn(STANDIN, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'info' } });
  const lines: string[] = [];
  let stderr = '';
  let buffer = '';
  let nextId = 1;
  const waiting = new Map<number, (msg: never) => void>();
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdout.on('data', (d) => {
    buffer += String(d);
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      let msg: { id?: number; method?: string; params?: unknown };
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if (msg.method && msg.id !== undefined) {
        const result = options.onRequest ? options.onRequest(msg as { id: number; method: string; params: unknown }) : {};
        child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }) + '\n');
      } else if (typeof msg.id === 'number' && waiting.has(msg.id)) {
        waiting.get(msg.id)!(msg as never);
        waiting.delete(msg.id);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    request(method, params) {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve as never);
        child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
      });
    },
    writeLine(line) {
      child.stdin.write(line + '\n');
    },
    stdoutLines: () => [...lines],
    stderrText: () => stderr,
    async close() {
      child.stdin.end();
      return exited;
    },
  };
}

/** The migration list the CLI sends for a migrations folder (same shape and order). */
export function migrationsList(dir: string): unknown {
  const lockPath = path.join(dir, 'migration_lock.toml');
  const migrationDirectories = fs.readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort((a, b) => a.localeCompare(b))
    .map((name) => ({
      path: name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') } },
    }));
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/** The message must be one line, without a stack trace and without `secret`. */
export function expectOneLineError(message: string, secret?: string): void {
  expect(message).not.toMatch(/\n/);
  expect(message).not.toMatch(/\bat .+:\d+:\d+\)?$/m);
  if (secret) expect(message).not.toContain(secret);
}
