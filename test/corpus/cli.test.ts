// Runs the CLI part of the bad-input corpus: main(argv) in this process with stdout and stderr
// captured, and a few cases through the real binary (node bin/outreach.js). Every case: the expected
// exit code, a message naming the flag or the file, no stack trace, and nothing written: the database
// the commands would open must never appear, and an --out folder is never created.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../client/cli/main';
import { stopMjmlCompiler } from '../../activities/render';
import { cliCases } from './index';
import type { CliCase } from './types';

const REPO = path.resolve(__dirname, '../..');
const FIX = path.join(__dirname, 'fixtures');
const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function inProcess(argv: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function spawned(argv: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO, 'bin', 'outreach.js'), ...argv], { cwd: REPO, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('bad-input corpus: command line', () => {
  let tmp: string;
  let db: string;
  const saved: Record<string, string | undefined> = {};
  const env = () => ({ DATABASE_URL: `file:${db}`, TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPLATES_DIR: path.join(FIX, 'templates') });

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-corpus-cli-'));
    db = path.join(tmp, 'must-not-exist.db');
    for (const [k, v] of Object.entries(env())) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    await stopMjmlCompiler();
  });

  const expand = (argv: string[], caseTmp: string) => argv.map((a) => a.replace('$FIX', FIX).replace('$TMP', caseTmp).replace('$REPO', REPO));

  it.each(cliCases.map((c) => [c.id, c] as const))('%s', async (_id, c: CliCase) => {
    const caseTmp = fs.mkdtempSync(path.join(tmp, `${c.id}-`));
    const argv = expand(c.input.argv, caseTmp);
    const r = c.input.spawn ? await spawned(argv, env()) : await inProcess(argv);
    const shown = `exit ${r.code}\n--- stderr\n${r.stderr}--- stdout\n${r.stdout}`;
    if (r.code !== c.expect.exitCode) throw new Error(`expected exit ${c.expect.exitCode}, got:\n${shown}`);
    if (c.expect.stderr) expect(r.stderr).toMatch(c.expect.stderr);
    if (c.expect.stdout) expect(r.stdout).toMatch(c.expect.stdout);
    expect(r.stderr + r.stdout).not.toMatch(STACK_LINE);
    // Usage errors end with the command's usage line, so the fix is one glance away.
    if (c.expect.exitCode === 2) expect(r.stderr).toMatch(/\nusage: outreach /);
    // Nothing written: no database, nothing in the case's scratch folder (an --out folder included).
    expect(fs.existsSync(db)).toBe(false);
    expect(fs.readdirSync(caseTmp)).toEqual([]);
  });
});
