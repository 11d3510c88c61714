// The three `outreach template …` commands, called directly (the lead registers them in the CLI).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../client/cli/args';
import { templateLintCommand, templatePreviewCommand, templateRenderCommand } from '../../client/cli/commands/template';
import { stopMjmlCompiler } from '../../activities/render';
import { fixture } from './support';

afterAll(() => stopMjmlCompiler());

async function run(cmd: { run(argv: string[]): Promise<number> }, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await cmd.run(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-template-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('command names match what the lead registers', () => {
  expect([templateLintCommand.name, templateRenderCommand.name, templatePreviewCommand.name]).toEqual(['template lint', 'template render', 'template preview']);
  for (const c of [templateLintCommand, templateRenderCommand, templatePreviewCommand]) expect(c.usage).toMatch(/^outreach template /);
});

describe('template lint', () => {
  test('shipped templates: exit 0 and a one-line OK summary', async () => {
    const r = await run(templateLintCommand, []);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/^template lint: OK — 12 template\(s\), 101 template\/locale pair\(s\)/);
  });
  test('broken folder: exit 1 and template/locale: problem lines', async () => {
    const r = await run(templateLintCommand, ['--dir', fixture('broken')]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(9);
    for (const l of lines) expect(l).toMatch(/^[a-z-]+\/([a-zA-Z-]+|\*): \S/);
    expect(lines).toContainEqual(expect.stringMatching(/^lost-block\/en: \{\{#each links\.scores\}\} did not survive/));
    expect(r.stderr).toMatch(/template lint: \d+ problem\(s\)/);
  });
  test('a folder that does not exist is a usage error', async () => {
    const e = await run(templateLintCommand, ['--dir', path.join(tmp, 'nope')]).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
  });
});

describe('template render', () => {
  const dataFile = path.join(tmp, 'data.json');
  fs.writeFileSync(dataFile, JSON.stringify({
    customer: { givenName: 'Anna', familyName: 'Müller', gender: 'female' },
    links: { unsubscribe: 'https://example.com/u/x', help: 'https://example.com/h/x' },
    data: { product: 'Acme Cloud', lastVisit: '2025-03-04T10:00:00Z' },
  }));

  test('--out writes subject.txt, index.html and text.txt', async () => {
    const out = path.join(tmp, 'out');
    const r = await run(templateRenderCommand, ['periodic-checkin', '--locale', 'de', '--data', dataFile, '--out', out]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'subject.txt'), 'utf8')).toBe('Läuft alles gut mit Acme Cloud?\n');
    const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html).toContain('<html lang="de" dir="ltr"');
    expect(html).toContain('Sehr geehrte Frau Müller,');
    const text = fs.readFileSync(path.join(out, 'text.txt'), 'utf8');
    expect(text).toContain('Ich brauche Hilfe (https://example.com/h/x)');
    expect(text).toContain('(https://example.com/u/x)');
  });
  test('without --out prints JSON with subject, html and text', async () => {
    const r = await run(templateRenderCommand, ['onboarding-welcome', '--locale', 'ar']);
    expect(r.code).toBe(0);
    const email = JSON.parse(r.stdout);
    expect(email.subject).toBe('أهلاً بكم في Acme Cloud');
    expect(email.dir).toBe('rtl');
    expect(email.html).toContain('dir="rtl"');
    expect(typeof email.text).toBe('string');
  });
  test('bad JSON: exit 1 naming the file', async () => {
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, '{ "links": ');
    const r = await run(templateRenderCommand, ['onboarding-welcome', '--locale', 'en', '--data', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toContain('not valid JSON');
  });
  test('unknown template: exit 1 with UNKNOWN_TEMPLATE', async () => {
    const r = await run(templateRenderCommand, ['no-such-template', '--locale', 'en', '--data', dataFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('UNKNOWN_TEMPLATE');
    expect(r.stderr).toContain('no-such-template');
  });
  test('missing variable: exit 1 naming it', async () => {
    const r = await run(templateRenderCommand, ['onboarding-welcome', '--locale', 'en', '--data', dataFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MISSING_VARIABLE');
    expect(r.stderr).toContain('links.start');
    expect(r.stdout).toBe('');
  });
  test('missing --locale or name is a usage error', async () => {
    await expect(templateRenderCommand.run(['onboarding-welcome'])).rejects.toThrow(/--locale/);
    await expect(templateRenderCommand.run(['--locale', 'en'])).rejects.toBeInstanceOf(UsageError);
  });
});

test('template preview rejects a bad port', async () => {
  await expect(templatePreviewCommand.run(['--port', 'eighty'])).rejects.toBeInstanceOf(UsageError);
});
