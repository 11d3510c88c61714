// Applies the committed Prisma migrations to a database by running the stock `prisma migrate deploy`
// fully offline: the CLI's schema engine is our stand-in (scripts/prisma-schema-engine, built on
// @prisma/schema-engine-wasm), so nothing is downloaded. SQLite (`file:`) uses prisma/migrations,
// PostgreSQL (`postgres(ql)://`) prisma/postgresql/migrations. Failures become one-line errors that
// say what to fix, without stack traces or passwords.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
/** The schema engine the Prisma CLI is pointed at (PRISMA_SCHEMA_ENGINE_BINARY). */
export const SCHEMA_ENGINE_STANDIN = path.join(ROOT, 'scripts', 'prisma-schema-engine');
const PRISMA_CLI = path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js');
const CONFIGS = {
  sqlite: path.join(ROOT, 'prisma', 'sqlite.config.ts'),
  postgresql: path.join(ROOT, 'prisma', 'postgresql.config.ts'),
} as const;
const TIMEOUT_MS = 10 * 60 * 1000;

export interface MigrateOptions {
  /** Print nothing on success (the CLI's report otherwise goes to stdout). */
  quiet?: boolean;
}

interface Target {
  provider: 'sqlite' | 'postgresql';
  /** The URL handed to the CLI (SQLite paths made absolute). */
  url: string;
  /** Where the database is, for messages: a file path or host:port. Never contains a password. */
  where: string;
  database?: string;
  user?: string;
  secrets: string[];
}

function fail(message: string): never {
  throw new Error(message);
}

function resolveTarget(databaseUrl: string): Target {
  const raw = (databaseUrl ?? '').trim();
  if (!raw) {
    fail('DATABASE_URL is empty: set it to file:<path> (SQLite) or postgresql://user:password@host:5432/database (PostgreSQL)');
  }
  if (/^file:/i.test(raw)) {
    let file = raw.replace(/^file:(\/\/)?/i, '');
    const query = file.indexOf('?');
    if (query >= 0) file = file.slice(0, query);
    if (!file || file === ':memory:') {
      fail(`DATABASE_URL names no SQLite file ("${raw}"): use file:<path>, e.g. file:./.data/outreach.db`);
    }
    // Relative paths mean the same file the application opens: relative to this process's cwd.
    const abs = path.resolve(process.cwd(), decodeURIComponent(file));
    const dir = path.dirname(abs);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      fail(`cannot create the directory ${dir} for the SQLite database (DATABASE_URL): ${code}; check the path and its permissions`);
    }
    return { provider: 'sqlite', url: `file:${abs}`, where: abs, secrets: [] };
  }
  if (/^postgres(ql)?:\/\//i.test(raw)) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      fail('DATABASE_URL is not a valid PostgreSQL URL: expected postgresql://user:password@host:5432/database');
    }
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    };
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || u.searchParams.get('host') || 'localhost';
    const database = decode(u.pathname.replace(/^\//, '')) || 'postgres';
    return {
      provider: 'postgresql',
      url: raw,
      where: `${host}:${u.port || '5432'}`,
      database,
      user: u.username ? decode(u.username) : undefined,
      secrets: u.password ? [u.password, decode(u.password)] : [],
    };
  }
  const scheme = raw.includes(':') ? raw.slice(0, raw.indexOf(':')) : raw.slice(0, 20);
  return fail(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), not "${scheme}:"`);
}

function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function firstErrorLine(output: string): string {
  const lines = output.split('\n').map((l) => l.trim());
  const at = lines.findIndex((l) => /^Error\b/.test(l));
  const candidates = at >= 0 ? lines.slice(at) : lines;
  for (let i = 0; i < candidates.length; i++) {
    let text = candidates[i].replace(/^Error:?\s*/, '').replace(/^P\d{4}:?\s*/, '').trim();
    if (!text) continue;
    // "Schema engine error:" and the like introduce the actual reason on the next line.
    const next = candidates.slice(i + 1).find((l) => l.length > 0);
    if (text.endsWith(':') && next) text = `${text} ${next}`;
    return text.length > 300 ? `${text.slice(0, 297)}...` : text;
  }
  return 'no error message (run `npx prisma migrate deploy` by hand to see the full output)';
}

/** The one-line explanation of a failed `migrate deploy`, from the CLI's output. */
function describeFailure(output: string, t: Target): string {
  const text = output.replace(ANSI, '');
  const code = /\b(P\d{4})\b/.exec(text)?.[1];
  const where = `the database at ${t.where} (DATABASE_URL)`;
  const detail = firstErrorLine(text);
  switch (code) {
    case 'P1001':
    case 'P1002':
      return t.provider === 'postgresql'
        ? `cannot reach the database at ${t.where} (DATABASE_URL): is PostgreSQL running?`
        : `cannot open the SQLite database ${t.where} (DATABASE_URL): ${detail}`;
    case 'P1000':
      return `${where} rejected the credentials of user "${t.user ?? '(none)'}": check the user name and password in DATABASE_URL`;
    case 'P1003':
      return t.provider === 'postgresql'
        ? `database "${t.database}" does not exist at ${t.where} and could not be created (DATABASE_URL): create it, or grant the user CREATEDB`
        : `the SQLite database ${t.where} (DATABASE_URL) could not be created: check the path and its permissions`;
    case 'P1010':
      return `user "${t.user ?? '(none)'}" was denied access to database "${t.database}" at ${t.where} (DATABASE_URL): grant it access or use another user`;
    case 'P1013':
      return `DATABASE_URL is not a valid database URL: ${detail}`;
    case 'P1012':
      return `the Prisma schema or config is invalid: ${detail}`;
    case 'P3005':
      return `${where} already has tables but no migration history: use an empty database, or baseline it with "npx prisma migrate resolve --applied <migration>"`;
    case 'P3009': {
      const names = /The `([^`]+)` migration started at/.exec(text)?.[1];
      return `a previous migration${names ? ` (${names})` : ''} failed on ${where}: fix the database, then mark it with "npx prisma migrate resolve --rolled-back|--applied <migration>"`;
    }
    case 'P3018': {
      const name = /Migration name: (\S+)/.exec(text)?.[1] ?? '(unknown)';
      const dbError = /Database error:\s*\n\s*(.+)/.exec(text)?.[1]?.trim() ?? detail;
      return `migration ${name} failed on ${where}: ${dbError}; fix it, then run "npx prisma migrate resolve --rolled-back ${name}" and deploy again`;
    }
    default:
      return `prisma migrate deploy failed for ${where}: ${detail}`;
  }
}

function runPrisma(args: string[], env: NodeJS.ProcessEnv): Promise<{ ok: boolean; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [PRISMA_CLI, ...args], { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024, timeout: TIMEOUT_MS }, (err, stdout, stderr) => {
      const timedOut = Boolean(err && (err as NodeJS.ErrnoException & { killed?: boolean }).killed);
      resolve({ ok: !err, stdout: String(stdout), stderr: String(stderr), timedOut });
    });
  });
}

/**
 * Brings the database at `databaseUrl` up to the latest committed migration (`prisma migrate
 * deploy`). Creates a missing SQLite file (and its directory) or PostgreSQL database. Throws an
 * Error with a one-line message saying what to fix.
 */
export async function migrateDatabase(databaseUrl: string, opts: MigrateOptions = {}): Promise<void> {
  const target = resolveTarget(databaseUrl);
  if (!fs.existsSync(PRISMA_CLI)) fail('the prisma package is not installed (node_modules/prisma): run npm install');
  if (!fs.existsSync(SCHEMA_ENGINE_STANDIN)) fail(`the schema engine stand-in is missing (${SCHEMA_ENGINE_STANDIN}): restore scripts/prisma-schema-engine`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: target.url,
    // Always the stand-in: it works offline, and a value inherited from the environment (a native
    // binary for another platform, or something that does nothing) must not decide this.
    PRISMA_SCHEMA_ENGINE_BINARY: SCHEMA_ENGINE_STANDIN,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
  const result = await runPrisma(['migrate', 'deploy', '--config', CONFIGS[target.provider]], env);
  if (result.timedOut) {
    fail(`prisma migrate deploy timed out after ${TIMEOUT_MS / 60000} minutes on the database at ${target.where} (DATABASE_URL): is it locked by another process or unreachable?`);
  }
  if (!result.ok) {
    fail(redact(describeFailure(`${result.stdout}\n${result.stderr}`, target), target.secrets).replace(/\s*\n\s*/g, ' '));
  }
  if (!opts.quiet) process.stdout.write(redact(result.stdout.replace(ANSI, ''), target.secrets));
}
