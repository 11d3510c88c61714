// `outreach sequence lint` and `outreach sequence simulate`: exit codes 0 (fine), 1 (problems in the
// files), 2 (bad flags, naming the flag), and what they print.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from '../../client/cli/command';
import { UsageError } from '../../client/cli/args';
import { sequenceLintCommand, sequenceSimulateCommand } from '../../client/cli/commands/sequence';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/sequence/fixtures');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command as client/cli/main.ts does: a UsageError becomes exit code 2 and a message. */
async function run(cmd: Command, argv: string[], cwd = ROOT): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const before = process.cwd();
  process.chdir(cwd);
  try {
    return { code: await cmd.run(argv), stdout, stderr };
  } catch (e) {
    if (e instanceof UsageError) return { code: e.exitCode, stdout, stderr: stderr + e.message };
    throw e;
  } finally {
    process.chdir(before);
    out.mockRestore();
    err.mockRestore();
  }
}

let tmp: string;
const write = (name: string, content: unknown) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sequence-cli-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('outreach sequence lint', () => {
  it('exits 0 with a one-line summary when every shipped sequence is fine', async () => {
    const r = await run(sequenceLintCommand, []);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK: 5 sequences in 5 files, no problems \(templates checked against \d+ templates in templates\)\n$/);
  });

  it('exits 1 and prints each problem on its own line, with file, line and column', async () => {
    const r = await run(sequenceLintCommand, ['test/sequence/fixtures/all-problems.yaml', 'test/sequence/fixtures/unknown-template.yaml', 'sequences/onboarding.yaml']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('test/sequence/fixtures/all-problems.yaml:2:5: field "id": "All Problems" is not valid: lowercase letters, digits and dashes, at most 64 characters');
    // Checked against the real templates folder.
    expect(lines[9]).toBe('test/sequence/fixtures/unknown-template.yaml:12:15: step "tips-1": field "template": unknown template "onboarding-tip" (did you mean "onboarding-tips-1"?)');
    expect(r.stderr).toBe('10 problems in 2 of 3 files\n');
  });

  it('checks a folder given with --dir, including sequence ids used twice', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'dir-'));
    fs.copyFileSync(path.join(ROOT, 'sequences/loyalty.yaml'), path.join(dir, 'a.yaml'));
    fs.copyFileSync(path.join(ROOT, 'sequences/loyalty.yaml'), path.join(dir, 'b.yml'));
    const r = await run(sequenceLintCommand, ['--dir', dir], tmp);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${path.relative(tmp, path.join(dir, 'b.yml'))}:1:1: field "id": duplicate sequence id "loyalty" (also in ${path.relative(tmp, path.join(dir, 'a.yaml'))})\n`);
  });

  it('reports a file it cannot read as a problem', async () => {
    const r = await run(sequenceLintCommand, ['sequences/nope.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('sequences/nope.yaml: cannot read the file: ENOENT\n');
  });

  it('exits 2 naming the flag for an unknown flag or a missing folder', async () => {
    const unknown = await run(sequenceLintCommand, ['--strict']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("'--strict'");
    const dir = await run(sequenceLintCommand, ['--dir', path.join(tmp, 'missing')]);
    expect(dir).toMatchObject({ code: 2, stderr: expect.stringContaining('--dir: no folder') });
    const templates = await run(sequenceLintCommand, ['--templates', path.join(tmp, 'missing')]);
    expect(templates).toMatchObject({ code: 2, stderr: expect.stringContaining('--templates: no folder') });
  });

  it('warns and skips template checks when the templates folder has none', async () => {
    const empty = fs.mkdtempSync(path.join(tmp, 'templates-'));
    const r = await run(sequenceLintCommand, ['--templates', empty, 'test/sequence/fixtures/unknown-template.yaml']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: template names not checked: no templates in /);
  });
});

describe('outreach sequence simulate', () => {
  const berlin = { email: 'ada@example.com', locale: 'de', timeZone: 'Europe/Berlin', country: 'DE', consent: { marketing: true } };

  it('prints the timeline in local time and UTC, and sends nothing', async () => {
    const customer = write('berlin.json', berlin);
    const events = write('events.json', [{ name: 'unsubscribed', occurredAt: '2026-04-08T15:00:00Z', properties: {} }]);
    const r = await run(sequenceSimulateCommand, ['sequences/onboarding.yaml', '--customer', customer, '--events', events, '--start', '2026-03-27T08:00:00Z']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('onboarding v1: simulation only, nothing was sent');
    // Spread over the window by customer id, as the engine sends it (SPREAD_SENDS defaults to true).
    expect(r.stdout).toMatch(/^Tue 2026-03-31 (09:(0[1-9]|[1-5]\d)|1[0-6]:\d\d) \+02:00 {2}2026-03-31 \d\d:\d\dZ {2}tips-1 +SEND +sent at the next business-hours instant: onboarding-tips-1 \(marketing\)/m);
    expect(r.stdout).toMatch(/note: sends are spread over the send window by customer id/);
    expect(r.stdout).toContain('3 emails would be sent; exited (event:unsubscribed)');
    // With SPREAD_SENDS=false the engine sends at the window's start, and so does the simulation.
    process.env.SPREAD_SENDS = 'false';
    try {
      const plain = await run(sequenceSimulateCommand, ['sequences/onboarding.yaml', '--customer', customer, '--events', events, '--start', '2026-03-27T08:00:00Z']);
      expect(plain.stdout).toMatch(/^Tue 2026-03-31 09:00 \+02:00 {2}2026-03-31 07:00Z {2}tips-1 +SEND +sent at the next business-hours instant: onboarding-tips-1 \(marketing\)/m);
    } finally {
      delete process.env.SPREAD_SENDS;
    }
  });

  it('--json prints the result as data', async () => {
    const customer = write('tokyo.json', { ...berlin, timeZone: 'Asia/Tokyo', country: 'JP' });
    const r = await run(sequenceSimulateCommand, ['sequences/onboarding.yaml', '--customer', customer, '--start', '2026-03-27T08:00:00Z', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ sequenceId: 'onboarding', status: 'completed', zone: 'Asia/Tokyo' });
    expect(result.sends).toHaveLength(7);
  });

  it('--variant forces a split variant', async () => {
    const seq = write('ab.yaml', [
      'id: ab', 'version: 1', 'trigger: { event: signup }', 'steps:',
      '  - { id: ab, type: split, variants: [{ name: a, percent: 50, next: x }, { name: b, percent: 50, next: y }] }',
      '  - { id: x, type: send, template: onboarding-tips-1, category: transactional, next: done }',
      '  - { id: y, type: send, template: onboarding-tips-2, category: transactional }',
      '  - { id: done, type: end }',
    ].join('\n'));
    const customer = write('c.json', berlin);
    const a = await run(sequenceSimulateCommand, [seq, '--customer', customer, '--start', '2026-03-27T08:00:00Z', '--variant', 'a', '--json']);
    const b = await run(sequenceSimulateCommand, [seq, '--customer', customer, '--start', '2026-03-27T08:00:00Z', '--variant', 'b', '--json']);
    expect(JSON.parse(a.stdout).sends.map((s: { template: string }) => s.template)).toEqual(['onboarding-tips-1']);
    expect(JSON.parse(b.stdout).sends.map((s: { template: string }) => s.template)).toEqual(['onboarding-tips-2']);
  });

  it('exits 1 when the sequence has problems, printing them', async () => {
    const customer = write('c.json', berlin);
    const r = await run(sequenceSimulateCommand, ['test/sequence/fixtures/backward-jump.yaml', '--customer', customer]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('test/sequence/fixtures/backward-jump.yaml:18:11: step "tips": field "next": jumps back to "welcome"');
  });

  it('exits 1 naming the file and field of a bad customer or event value', async () => {
    const customer = write('mars.json', { ...berlin, timeZone: 'Mars/Olympus' });
    const r = await run(sequenceSimulateCommand, ['sequences/onboarding.yaml', '--customer', customer, '--start', '2026-03-27T08:00:00Z']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${customer}: timeZone: unknown IANA time zone "Mars/Olympus" (expected e.g. "Europe/Berlin")\n`);
    const ok = write('ok.json', berlin);
    const events = write('bad-events.json', [{ name: 'signup', occurredAt: 'tomorrow' }]);
    const e = await run(sequenceSimulateCommand, ['sequences/onboarding.yaml', '--customer', ok, '--events', events]);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(new RegExp(`^${events.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\[0\\]\\.occurredAt: must be an ISO-8601 instant`));
  });

  it.each([
    [['sequences/onboarding.yaml'], 'missing required flag --customer'],
    [['--customer', 'c.json'], 'missing the sequence file'],
    [['sequences/onboarding.yaml', '--customer', 'c.json', '--start', 'next monday'], '--start must be an ISO-8601 instant'],
    [['sequences/onboarding.yaml', '--customer', '/nonexistent/c.json'], '--customer: cannot read /nonexistent/c.json (ENOENT)'],
    [['sequences/onboarding.yaml', '--customer', 'c.json', '--events', '/nonexistent/e.json'], '--events: cannot read /nonexistent/e.json (ENOENT)'],
    [['sequences/onboarding.yaml', '--customer', 'c.json', '--speed', 'fast'], "Unknown option '--speed'"],
    [['sequences/onboarding.yaml', 'sequences/loyalty.yaml', '--customer', 'c.json'], "unexpected argument 'sequences/loyalty.yaml'"],
  ])('exits 2 for bad flags: %j', async (argv, message) => {
    write('c.json', berlin);
    const args = argv.map((a) => (a === 'c.json' ? path.join(tmp, 'c.json') : a));
    const r = await run(sequenceSimulateCommand, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('exits 2 naming --customer when its file is not JSON', async () => {
    const bad = write('broken.json', '{ "email": ');
    const r = await run(sequenceSimulateCommand, ['sequences/onboarding.yaml', '--customer', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^--customer: .*broken\.json is not valid JSON/);
  });
});
