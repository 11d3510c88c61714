// The renderer's own contract: MJML runs once per template, locale and content hash; the rest is
// Handlebars per email. Plus the small API surface (templates, locales, options, warm).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TemplateRenderer, sampleInput, stopMjmlCompiler } from '../../activities/render';
import { mjmlCompileCount } from '../../activities/render/mjml';
import { clearArtifactCache } from '../../activities/render/compile';
import { fixture, templateError } from './support';

afterAll(() => stopMjmlCompiler());

function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}

test('MJML compiles once per (template, locale, content hash), shared across renderers; only a content change recompiles', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-templates-'));
  try {
    copyDir(fixture('good'), dir);
    clearArtifactCache();
    const before = mjmlCompileCount();
    const compiled = () => mjmlCompileCount() - before;
    const first = new TemplateRenderer({ templatesDir: dir });
    const input = sampleInput(dir, 'list', 'en');
    for (let i = 0; i < 50; i++) first.render({ ...input, customer: { ...input.customer, id: `c${i}`, givenName: `N${i}` } });
    expect(compiled()).toBe(1);
    first.render(sampleInput(dir, 'list', 'de'));
    expect(compiled()).toBe(2); // another locale: its own lang attribute, its own compile
    new TemplateRenderer({ templatesDir: dir }).render(input);
    expect(compiled()).toBe(2); // same content hash: cached

    const file = path.join(dir, 'list', 'template.mjml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('<mj-body>', '<mj-body background-color="#eeeeee">'));
    const changed = new TemplateRenderer({ templatesDir: dir }).render(input);
    expect(compiled()).toBe(3);
    expect(changed.html).toContain('#eeeeee');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('templates() and locales() list folders and catalogs, default locale first', () => {
  const r = new TemplateRenderer({ templatesDir: fixture('fallback') });
  expect(r.templates()).toEqual(['greet']);
  expect(r.locales('greet')).toEqual(['en', 'pt', 'pt-BR']);
  expect(templateError(() => r.locales('nope')).code).toBe('UNKNOWN_TEMPLATE');
});

test('the default locale is configurable', () => {
  const r = new TemplateRenderer({ templatesDir: fixture('good'), defaultLocale: 'de' });
  const e = r.render(sampleInput(r.templatesDir, 'list', 'fr'));
  expect(e.locale).toBe('de');
  expect(e.subject).toBe('Ihre Liste');
  expect(() => new TemplateRenderer({ defaultLocale: 'not a locale!' })).toThrow(/invalid default locale/);
});

test('warm() precompiles every template and locale without blocking the event loop for long', async () => {
  clearArtifactCache();
  const r = new TemplateRenderer({ templatesDir: fixture('good') });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  await r.warm();
  clearInterval(timer);
  expect(ticks).toBeGreaterThan(0);
  const before = mjmlCompileCount();
  r.render(sampleInput(r.templatesDir, 'list', 'de'));
  r.render(sampleInput(r.templatesDir, 'list', 'en'));
  expect(mjmlCompileCount()).toBe(before);
});

test('the MJML compiler thread restarts after being stopped', async () => {
  await stopMjmlCompiler();
  clearArtifactCache();
  const r = new TemplateRenderer({ templatesDir: fixture('good') });
  expect(r.render(sampleInput(r.templatesDir, 'list', 'en')).html).toContain('Item: one');
});
