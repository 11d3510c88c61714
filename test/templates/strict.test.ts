// Strict rendering: anything missing is a TemplateError naming template, locale and what is missing,
// never a blank, a raw key or a half-rendered email.
import { TemplateError, TemplateRenderer, sampleInput, stopMjmlCompiler, type RenderInput } from '../../activities/render';
import { fixture, shippedRenderer, templateError } from './support';

const renderer = shippedRenderer();
afterAll(() => stopMjmlCompiler());

const sample = (template: string, locale = 'en'): RenderInput => sampleInput(renderer.templatesDir, template, locale);
function without<T extends Record<string, unknown>>(obj: T, key: string): T {
  const copy = { ...obj };
  delete copy[key];
  return copy;
}

test('TemplateError is an Error with code, template, locale and detail, marked non-retryable', () => {
  const err = templateError(() => renderer.render({ ...sample('onboarding-welcome', 'de'), data: {} }));
  expect(err).toBeInstanceOf(Error);
  expect(err.name).toBe('TemplateError');
  expect(err.nonRetryable).toBe(true);
  expect(err.code).toBe('MISSING_VARIABLE');
  expect(err.template).toBe('onboarding-welcome');
  expect(err.locale).toBe('de');
  expect(err.detail).toContain('product');
  expect(err.message).toBe(`onboarding-welcome/de: MISSING_VARIABLE: ${err.detail}`);
});

test('a missing Handlebars variable names its full path', () => {
  const input = sample('periodic-checkin');
  const err = templateError(() => renderer.render({ ...input, links: without(input.links, 'help') as RenderInput['links'] }));
  expect(err.code).toBe('MISSING_VARIABLE');
  expect(err.detail).toContain("'links.help'");
});

test('a missing ICU argument names the catalog key and the argument', () => {
  const input = sample('onboarding-checkin', 'lv');
  const err = templateError(() => renderer.render({ ...input, data: without(input.data!, 'days') }));
  expect(err.code).toBe('MISSING_VARIABLE');
  expect(err.locale).toBe('lv');
  expect(err.detail).toMatch(/catalog key 'intro' \(lv\) needs argument \{days\}/);
});

test('a missing hash argument of {{t}} and a missing date name the variable', () => {
  const input = sample('loyalty-milestone', 'es');
  const err = templateError(() => renderer.render({ ...input, data: without(input.data!, 'memberSince') }));
  expect(err.code).toBe('MISSING_VARIABLE');
  expect(err.detail).toContain("'data.memberSince'");
  const bad = templateError(() => renderer.render({ ...input, data: { ...input.data, memberSince: 'last tuesday' } }));
  expect(bad.code).toBe('INVALID_VARIABLE');
  expect(bad.detail).toContain('data.memberSince');
});

test('absent lists and conditions are errors; explicit null/false mean "none"', () => {
  const survey = sample('csat-survey');
  const lost = templateError(() => renderer.render({ ...survey, links: without(survey.links, 'scores') as RenderInput['links'] }));
  expect(lost.code).toBe('MISSING_VARIABLE');
  expect(lost.detail).toContain("'links.scores'");

  const thanks = sample('survey-thanks');
  expect(templateError(() => renderer.render({ ...thanks, data: without(thanks.data!, 'followUp') })).detail).toContain("'data.followUp'");
  const yes = renderer.render({ ...thanks, data: { ...thanks.data, followUp: true } });
  const no = renderer.render({ ...thanks, data: { ...thanks.data, followUp: false } });
  expect(yes.text).toContain('Someone from our team will contact you soon.');
  expect(no.text).not.toContain('Someone from our team');

  const checkin = sample('periodic-checkin');
  expect(templateError(() => renderer.render({ ...checkin, data: without(checkin.data!, 'lastVisit') })).detail).toContain("'data.lastVisit'");
  const unknownVisit = renderer.render({ ...checkin, data: { ...checkin.data, lastVisit: null } });
  expect(unknownVisit.text).toContain('We wanted to make sure Acme Cloud is working well for you.');
  expect(unknownVisit.text).not.toContain('Your last visit');

  const alert = sample('low-score-alert');
  const noComment = renderer.render({ ...alert, data: { ...alert.data, comment: null } });
  expect(noComment.text).toContain('They did not leave a comment.');
  expect(noComment.text).not.toContain('Their comment:');
});

test('the unsubscribe link is required', () => {
  const input = sample('onboarding-welcome');
  const err = templateError(() => renderer.render({ ...input, links: {} as RenderInput['links'] }));
  expect(err.code).toBe('MISSING_VARIABLE');
  expect(err.detail).toContain('links.unsubscribe');
});

test('an unknown template is UNKNOWN_TEMPLATE listing the known ones', () => {
  const err = templateError(() => renderer.render({ ...sample('onboarding-welcome'), template: 'onboarding-welcom' }));
  expect(err.code).toBe('UNKNOWN_TEMPLATE');
  expect(err.template).toBe('onboarding-welcom');
  expect(err.detail).toContain('onboarding-welcome');
});

describe('fixtures', () => {
  const strict = new TemplateRenderer({ templatesDir: fixture('strict') });
  const input = (template: string, locale: string): RenderInput => sampleInput(strict.templatesDir, template, locale);

  test.each(['en', 'de', 'fr'])('a key missing from every catalog is MISSING_KEY (customer locale %s)', (locale) => {
    const err = templateError(() => strict.render(input('no-key', locale)));
    expect(err.code).toBe('MISSING_KEY');
    expect(err.template).toBe('no-key');
    expect(err.locale).toBe(locale === 'de' ? 'de' : 'en');
    expect(err.detail).toContain("'nowhere'");
  });

  test('an ICU syntax error is ICU_SYNTAX naming the key', () => {
    const err = templateError(() => strict.render(input('bad-icu', 'en')));
    expect(err.code).toBe('ICU_SYNTAX');
    expect(err.detail).toContain("catalog key 'subject'");
  });

  test('errors stay errors: a second render fails the same way instead of sending something', () => {
    expect(templateError(() => strict.render(input('no-key', 'en'))).code).toBe('MISSING_KEY');
    expect(templateError(() => strict.render(input('no-key', 'en'))).code).toBe('MISSING_KEY');
  });
});

test('every code is a TemplateError subclass instance, never a plain Error from a library', () => {
  const cases: (() => unknown)[] = [
    () => renderer.render({ ...sample('csat-survey'), data: {} }),
    () => renderer.render({ ...sample('nps-survey'), links: { unsubscribe: 'https://x.example/u' } }),
    () => renderer.render({ ...sample('periodic-checkin'), data: { product: 'X', lastVisit: 42n as unknown as string } }),
  ];
  for (const c of cases) expect(templateError(c)).toBeInstanceOf(TemplateError);
});
