// Catalog strings are compiled once; the fast path (cached branch pieces) must format exactly like
// intl-messageformat itself, for every branch combination of every shipped address message.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import fc from 'fast-check';
import { compileMessage, checkMessage } from '../../activities/render/icu';
import { DEFAULT_TEMPLATES_DIR, TemplateError } from '../../activities/render';

// The reference formatter: a fresh, uncached intl-messageformat format of the same string.
function reference(source: string, locale: string, values: Record<string, unknown>): string {
  // A message with a plural argument has no fast path, so its result is the library's own: wrapping
  // the source in a plural over a constant forces that path.
  const forced = compileMessage('ref', `{__n, plural, other {${source}}}`, locale, { template: 't', locale });
  return forced.format({ ...values, __n: 1 });
}

const sharedDir = path.join(DEFAULT_TEMPLATES_DIR, '_shared/locales');
const locales = fs.readdirSync(sharedDir).map((f) => f.replace(/\.yaml$/, ''));

test.each(locales)('address messages of %s: fast path equals intl-messageformat for all branches', (locale) => {
  const catalog = YAML.parse(fs.readFileSync(path.join(sharedDir, `${locale}.yaml`), 'utf8')) as { address: Record<string, string> };
  const arb = fc.record({
    givenName: fc.string({ maxLength: 8 }),
    familyName: fc.string({ maxLength: 8 }),
    title: fc.constantFrom('', 'Dr.', 'Bērziņa kungs'),
    gender: fc.constantFrom('female', 'male', 'other', 'weird'),
    formality: fc.constantFrom('formal', 'informal'),
    names: fc.constantFrom('both', 'given', 'family', 'none'),
    hasTitle: fc.constantFrom('yes', 'no'),
    honorific: fc.string({ maxLength: 5 }),
    name: fc.string({ maxLength: 12 }),
  });
  for (const [key, source] of Object.entries(catalog.address)) {
    const compiled = compileMessage(key, source, locale, { template: '_shared', locale });
    fc.assert(
      fc.property(arb, (values) => {
        expect(compiled.format(values)).toBe(reference(source, locale, values));
      }),
      { numRuns: 150 },
    );
  }
});

test('constant messages are formatted once; non-string values take the library path', () => {
  const c = compileMessage('k', 'Hello', 'en', { template: 't', locale: 'en' });
  expect(c.constant).toBe('Hello');
  const plain = compileMessage('k', 'Score {score}', 'de', { template: 't', locale: 'de' });
  expect(plain.format({ score: 1234.5 })).toBe('Score 1234.5'); // intl-messageformat stringifies a bare {arg}
  expect(plain.format({ score: 'x' })).toBe('Score x');
  const styled = compileMessage('k', 'Score {score, number}', 'de', { template: 't', locale: 'de' });
  expect(styled.format({ score: 1234.5 })).toBe('Score 1.234,5');
});

test('missing or null arguments are MISSING_VARIABLE, even in a branch not taken', () => {
  const m = compileMessage('greeting', '{g, select, a {{x}} other {{y}}}', 'en', { template: 'tpl', locale: 'en' });
  expect(m.format({ g: 'a', x: 'X', y: 'Y' })).toBe('X');
  for (const values of [{ g: 'a', x: 'X' }, { g: 'a', x: 'X', y: null }]) {
    let err: unknown;
    try {
      m.format(values);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as TemplateError).code).toBe('MISSING_VARIABLE');
    expect((err as TemplateError).detail).toContain('{y}');
  }
});

test('tags are plain text, and syntax errors are reported with their position', () => {
  expect(compileMessage('k', 'a <b>{x}</b>', 'en', { template: 't', locale: 'en' }).format({ x: '1' })).toBe('a <b>1</b>');
  expect(checkMessage('{n, plural, one {x}}', 'en')).toEqual({ error: expect.stringContaining('MISSING_OTHER_CLAUSE') });
  expect(checkMessage('{a} {b, select, x {{c}} other {d}}', 'en')).toEqual({ args: new Set(['a', 'b', 'c']) });
});
