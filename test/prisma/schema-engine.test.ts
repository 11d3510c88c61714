// The schema engine stand-in as a process: the command line and JSON-RPC protocol the Prisma CLI
// relies on (version line, one-shot `cli` commands, JSON-only stdout, panics as JSON-RPC errors,
// exit when stdin closes). Uses real SQLite files.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { migrationsList, ROOT, SQLITE_MIGRATIONS, SQLITE_SCHEMA, STANDIN, startEngine, tempSqlite, type TempSqlite } from './support';

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(STANDIN, args, { cwd: ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function stderrEvents(stderr: string): Array<{ level: string; target: string; fields: Record<string, unknown> }> {
  return stderr.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

const FILTERS = { externalTables: [], externalEnums: [] };

describe('schema engine stand-in', () => {
  let tmp: TempSqlite;

  beforeEach(() => {
    tmp = tempSqlite();
  });

  afterEach(() => {
    tmp.cleanup();
  });

  test('--version prints the engine hash of the installed wasm engine', async () => {
    const pkg = fs.readFileSync(path.join(ROOT, 'node_modules', '@prisma', 'schema-engine-wasm', 'package.json'), 'utf8');
    const hash = (JSON.parse(pkg).version as string).split('.').pop();
    const res = await run(['--version']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`schema-engine-cli ${hash}\n`);
  });

  test('one-shot cli commands report in the JSON log format the Prisma CLI parses', async () => {
    const datasource = JSON.stringify({ url: tmp.url });
    const missing = await run(['--datasource', datasource, 'cli', 'can-connect-to-database']);
    expect(missing.code).toBe(1);
    const events = stderrEvents(missing.stderr);
    // The CLI skips the first line and reads every other one as JSON.
    expect(events[0].fields.message).toBe('Starting schema engine CLI');
    const error = events.find((e) => e.level === 'ERROR' && e.target === 'schema_engine::logger');
    expect(error?.fields).toMatchObject({ error_code: 'P1003', is_panic: false });

    const created = await run(['--datasource', datasource, 'cli', 'create-database']);
    expect(created.code).toBe(0);
    expect(fs.existsSync(tmp.file)).toBe(true);
    expect((await run(['--datasource', datasource, 'cli', 'can-connect-to-database'])).code).toBe(0);

    const dropped = await run(['--datasource', datasource, 'cli', 'drop-database']);
    expect(dropped.code).toBe(0);
    expect(fs.existsSync(tmp.file)).toBe(false);
    for (const res of [created, dropped]) {
      expect(res.stdout).toBe('');
      expect(() => stderrEvents(res.stderr)).not.toThrow();
    }
  });

  test('serves JSON-RPC on stdin/stdout, writes only JSON-RPC to stdout and exits when stdin closes', async () => {
    const engine = startEngine(['--datamodels', SQLITE_SCHEMA, '--datasource', JSON.stringify({ url: tmp.url })]);
    fs.mkdirSync(path.dirname(tmp.file), { recursive: true });

    const applied = await engine.request('applyMigrations', { migrationsList: migrationsList(SQLITE_MIGRATIONS), filters: FILTERS });
    expect(applied.error).toBeUndefined();
    expect((applied.result as { appliedMigrationNames: string[] }).appliedMigrationNames.length).toBeGreaterThan(0);

    const diagnosis = await engine.request('diagnoseMigrationHistory', {
      migrationsList: migrationsList(SQLITE_MIGRATIONS), optInToShadowDatabase: false, filters: FILTERS,
    });
    expect(diagnosis.result).toEqual({ history: null, failedMigrationNames: [], editedMigrationNames: [], hasMigrationsTable: true });

    const unknown = await engine.request('noSuchMethod', {});
    expect(unknown.error?.code).toBe(-32601);
    engine.writeLine('{ this is not json');
    const version = await engine.request('getDatabaseVersion', {});
    expect(typeof version.result).toBe('string');

    expect(await engine.close()).toBe(0);
    const lines = engine.stdoutLines();
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(lines.some((l) => JSON.parse(l).error?.code === -32700)).toBe(true);
    expect(() => stderrEvents(engine.stderrText())).not.toThrow();
  });

  test('reports that the migrations table is missing on a fresh SQLite database, as the native engine does', async () => {
    fs.mkdirSync(path.dirname(tmp.file), { recursive: true });
    const engine = startEngine(['--datamodels', SQLITE_SCHEMA, '--datasource', JSON.stringify({ url: tmp.url })]);
    const diagnosis = await engine.request('diagnoseMigrationHistory', {
      migrationsList: migrationsList(SQLITE_MIGRATIONS), optInToShadowDatabase: false, filters: FILTERS,
    });
    expect(diagnosis.error).toBeUndefined();
    expect(diagnosis.result).toMatchObject({ hasMigrationsTable: false, history: { diagnostic: 'databaseIsBehind' } });
    expect(await engine.close()).toBe(0);
  });

  test('diff sends its output to the CLI through a `print` request', async () => {
    const printed: string[] = [];
    const engine = startEngine(['--datasource', JSON.stringify({ url: tmp.url })], {
      onRequest: (msg) => {
        if (msg.method === 'print') printed.push((msg.params as { content: string }).content);
        return {};
      },
    });
    const res = await engine.request('diff', {
      from: { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: [{ path: SQLITE_SCHEMA, content: fs.readFileSync(SQLITE_SCHEMA, 'utf8') }] },
      script: true,
      exitCode: true,
      filters: FILTERS,
    });
    expect(res.result).toEqual({ exitCode: 2, stdout: null });
    expect(printed.join('\n')).toContain('CREATE TABLE "Customer"');
    expect(await engine.close()).toBe(0);
    // Comparing schemas must not create the configured database.
    expect(fs.existsSync(tmp.file)).toBe(false);
  });

  test('an engine panic comes back as a JSON-RPC error, and later requests are refused', async () => {
    const engine = startEngine(['--datamodels', SQLITE_SCHEMA, '--datasource', JSON.stringify({ url: tmp.url })]);
    fs.mkdirSync(path.dirname(tmp.file), { recursive: true });
    const panic = await engine.request('debugPanic');
    expect(panic.error?.code).toBe(4466);
    expect(panic.error?.data).toMatchObject({ is_panic: true });
    expect(String(panic.error?.data?.message)).toContain('This is the debugPanic artificial panic');
    expect(panic.error?.message).toContain('This is the debugPanic artificial panic');

    const after = await engine.request('getDatabaseVersion', {});
    expect(after.error?.data).toMatchObject({ is_panic: true });
    expect(await engine.close()).toBe(101);
  });

  test('user-facing errors carry their Prisma error code', async () => {
    fs.mkdirSync(path.dirname(tmp.file), { recursive: true });
    const engine = startEngine(['--datamodels', SQLITE_SCHEMA, '--datasource', JSON.stringify({ url: tmp.url })]);
    const res = await engine.request('markMigrationRolledBack', { migrationName: 'nope' });
    expect(res.error?.code).toBe(4466);
    expect(res.error?.data).toMatchObject({ is_panic: false, error_code: 'P3011' });
    expect(await engine.close()).toBe(0);
  });
});
