// Lint over good and broken template folders.
import { TemplateRenderer, formatLintProblem, stopMjmlCompiler } from '../../activities/render';
import { fixture } from './support';

afterAll(() => stopMjmlCompiler());

test('the good fixture folder has no problems', () => {
  expect(new TemplateRenderer({ templatesDir: fixture('good') }).lint()).toEqual([]);
});

describe('the broken fixture folder', () => {
  const problems = new TemplateRenderer({ templatesDir: fixture('broken') }).lint();
  const lines = problems.map(formatLintProblem);
  const has = (prefix: string, ...fragments: string[]) =>
    expect(lines.filter((l) => l.startsWith(prefix) && fragments.every((f) => l.includes(f)))).not.toEqual([]);

  test('reports a block helper MJML drops', () => has('lost-block/en: ', '{{#each links.scores}} did not survive MJML compilation', '<mj-raw>'));
  test('reports missing and extra keys against the default locale', () => {
    has('key-mismatch/de: ', "missing key 'body'");
    has('key-mismatch/de: ', "extra key 'bodyy'");
  });
  test('reports ICU syntax errors', () => has('bad-icu/en: ', "key 'body'", 'MISSING_OTHER_CLAUSE'));
  test('reports triple-stash on customer data', () => has('unescaped/*: ', '{{{customer.givenName}}}', 'without HTML escaping'));
  test('reports MJML validation errors', () => has('bad-mjml/en: ', 'colour'));
  test('reports an argument the default message does not use', () => has('arg-typo/de: ', '{prodcut}'));
  test('reports a key the template uses that no catalog defines', () => has('unknown-key/en: ', '{{t "nowhere"}}'));
  test('reports a locale without shared address/footer strings', () => has('no-shared/es: ', 'no shared catalog for es'));
  test('reports an unparsable catalog', () => has('unquoted-yaml/en: ', 'cannot parse en.yaml'));
  test('every problem carries template, locale and code; clean templates are not mentioned', () => {
    for (const p of problems) {
      expect(p.template).not.toBe('');
      expect(p.locale).not.toBe('');
      expect(p.code).toMatch(/^[A-Z_]+$/);
    }
    const templates = new Set(problems.map((p) => p.template));
    expect([...templates].sort()).toEqual(['arg-typo', 'bad-icu', 'bad-mjml', 'key-mismatch', 'lost-block', 'no-shared', 'unescaped', 'unknown-key', 'unquoted-yaml']);
  });
});
