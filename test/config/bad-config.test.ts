// Bad configuration stops the engine with one line that says what to fix: no stack trace, no secret.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, loadConfig } from '../../domain/config';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

async function outreach(args: string[], env: Record<string, string | undefined>) {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) clean[k] = v;
  try {
    const r = await run(process.execPath, [path.join(ROOT, 'bin', 'outreach.js'), ...args], { env: clean, cwd: ROOT, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const oneLine = (s: string) => s.trim().split('\n').filter(Boolean);

describe('bad configuration', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-cfg-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('an unreachable DATABASE_URL: one line naming host and variable, password never shown', async () => {
    const r = await outreach(['migrate'], { DATABASE_URL: 'postgresql://app:s3cretpw@127.0.0.1:1/outreach' });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/cannot reach the database at 127\.0\.0\.1:1 \(DATABASE_URL\)/)]);
    expect(r.stderr).not.toContain('s3cretpw');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a DATABASE_URL of an unsupported kind', async () => {
    const r = await outreach(['migrate'], { DATABASE_URL: 'mysql://localhost/x' });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/DATABASE_URL must start with file: \(SQLite\) or postgresql:\/\//)]);
  });

  it.each([
    ['http://mail.example.com', /SMTP_URL must use smtp:\/\/ or smtps:\/\//],
    ['not a url', /SMTP_URL is not a valid URL/],
    ['smtp://mail.example.com:99999', /SMTP_URL is not a valid URL|port/],
  ])('a malformed SMTP_URL (%s)', async (url, message) => {
    const r = await outreach(['worker'], { SMTP_URL: url, DATABASE_URL: `file:${tmp}/a.db` });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(message)]);
  });

  it.each([['worker'], ['api']])('a bad sequence file stops `outreach %s` at start with the file, line and field, and the process exits', async (cmd) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'seq-'));
    fs.writeFileSync(path.join(dir, 'bad.yaml'), [
      'id: bad', 'version: 1', 'trigger: { event: signup }', 'entry: { mode: oncePerCustomer }', 'steps:',
      '  - id: pause', '    type: wait', '    duration: { seconds: 5 }',
    ].join('\n'));
    const r = await outreach([cmd], { SEQUENCES_DIR: dir, DATABASE_URL: `file:${tmp}/seq-${cmd}.db`, API_PORT: '0' });
    expect(r.code).toBe(1); // not killed by the 60 s timeout: nothing left open keeps it alive
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: step "pause": field "duration\.seconds": unknown field "seconds"/);
  });

  it('a malformed OUTREACH_SECRET key ring: one line naming the variable and the key, never the key itself', async () => {
    const r = await outreach(['worker'], { OUTREACH_SECRET: 'a-long-enough-signing-key-0123,short', DATABASE_URL: `file:${tmp}/s.db` });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/OUTREACH_SECRET key 2 of 2 is too short \(5 characters\)/)]);
    expect(r.stderr).not.toContain('a-long-enough-signing-key');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unreachable Temporal server', async () => {
    const r = await outreach(['worker'], { TEMPORAL_ADDRESS: '127.0.0.1:1', DATABASE_URL: `file:${tmp}/b.db` });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/cannot reach Temporal at 127\.0\.0\.1:1 \(TEMPORAL_ADDRESS\): connection refused/)]);
  });

  it('no temporal CLI and no Go to build it: says what to install', async () => {
    // A PATH with only what the script itself needs: no go, no temporal, wherever the machine has them.
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    for (const tool of ['bash', 'dirname', 'mkdir', 'node']) {
      const found = ['/usr/bin', '/bin', '/usr/local/bin', path.dirname(process.execPath)].map((d) => path.join(d, tool)).find((f) => fs.existsSync(f));
      if (found && !fs.existsSync(path.join(bin, tool))) fs.symlinkSync(found, path.join(bin, tool));
    }
    const r = await outreach(['tools', '--only', 'temporal'], {
      PATH: bin,
      TEMPORAL_CLI_PATH: undefined,
      OUTREACH_TOOLS_DIR: path.join(tmp, 'no-tools'),
      OUTREACH_SKIP_SDK_DOWNLOAD: '1',
    });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/no 'temporal' CLI found and Go is not installed to build it: install Go .* or the Temporal CLI .* TEMPORAL_CLI_PATH/)]);
  });

  it('a TEMPORAL_CLI_PATH that is not executable', async () => {
    const r = await outreach(['tools', '--only', 'temporal'], { TEMPORAL_CLI_PATH: path.join(tmp, 'missing-temporal') });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/TEMPORAL_CLI_PATH=.*missing-temporal is not an executable file/)]);
  });

  it.each([
    [{ API_PORT: 'eighty' }, /API_PORT must be an integer/],
    [{ DEFAULT_TIME_ZONE: 'Mars/Base' }, /DEFAULT_TIME_ZONE is not an IANA time zone/],
    [{ SMTP_POOL: 'maybe' }, /SMTP_POOL must be true or false/],
    [{ SEND_WINDOWS: '9-5' }, /SEND_WINDOWS must be comma-separated HH:mm-HH:mm/],
    [{ DATABASE_POOL_SIZE: '0' }, /DATABASE_POOL_SIZE must be an integer from 1 to 1000 \(got "0"\)/],
    [{ DATABASE_POOL_SIZE: 'ten' }, /DATABASE_POOL_SIZE must be an integer/],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('uses documented defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'outreach' });
    expect(c.database.provider).toBe('sqlite');
    expect(c.database.poolSize).toBe(20);
    expect(c.smtp.url).toBe('smtp://127.0.0.1:1025');
    expect(c.api.port).toBe(3000);
    expect(c.sendWindows).toEqual(['09:00-17:00']);
  });
});
