// Every shipped template in every shipped locale, rendered from its sample data, must be a complete,
// well-formed email: no leftover placeholders or raw keys, right language and direction, a one-line
// subject, and the unsubscribe link in both parts.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { sampleInput, stopMjmlCompiler } from '../../activities/render';
import { shippedRenderer } from './support';


const renderer = shippedRenderer();
const CUSTOMER_LOCALES = ['en', 'zh-CN', 'vi', 'lv', 'de', 'ja', 'es', 'pt-BR', 'ar'];
const CUSTOMER_TEMPLATES = [
  'onboarding-welcome', 'onboarding-tips-1', 'onboarding-tips-2', 'onboarding-checkin', 'periodic-checkin',
  'csat-survey', 'nps-survey', 'ces-survey', 'survey-reminder', 'survey-thanks', 'loyalty-milestone',
];

afterAll(() => stopMjmlCompiler());

function flatKeys(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? flatKeys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
}
const sharedKeys = flatKeys(YAML.parse(fs.readFileSync(path.join(renderer.templatesDir, '_shared/locales/en.yaml'), 'utf8')));

test('ships the expected templates, each in every customer locale (the internal alert in en and de)', () => {
  expect(renderer.templates()).toEqual([...CUSTOMER_TEMPLATES, 'low-score-alert'].sort());
  for (const t of CUSTOMER_TEMPLATES) expect([...renderer.locales(t)].sort()).toEqual([...CUSTOMER_LOCALES].sort());
  expect(renderer.locales('low-score-alert')).toEqual(['en', 'de']);
  expect(renderer.locales('onboarding-welcome')[0]).toBe('en');
});

const pairs = renderer.templates().flatMap((t) => renderer.locales(t).map((l) => [t, l] as const));

test.each(pairs)('%s / %s renders a complete email', (template, locale) => {
  const input = sampleInput(renderer.templatesDir, template, locale);
  const email = renderer.render(input);
  const templateKeys = flatKeys(YAML.parse(fs.readFileSync(path.join(renderer.templatesDir, template, 'locales/en.yaml'), 'utf8')));

  expect(email.template).toBe(template);
  expect(email.locale).toBe(locale);
  expect(email.lang).toBe(locale);
  expect(email.dir).toBe(locale === 'ar' ? 'rtl' : 'ltr');
  expect(email.html).toContain(`<html lang="${locale}" dir="${email.dir}"`);
  expect(email.html).toMatch(new RegExp(`<body lang="${locale}" dir="${email.dir}"`));

  expect(email.subject.trim()).not.toBe('');
  expect(email.subject).not.toMatch(/[\r\n]/);
  expect(email.preheader.trim()).not.toBe('');
  expect(email.html).toContain(`<title>`);

  for (const part of [email.subject, email.preheader, email.html, email.text]) {
    expect(part).not.toContain('{{');
    expect(part).not.toContain('}}');
    expect(part).not.toMatch(/\[\[\w+\]\]/); // compile-time tokens
    // An ICU placeholder left unformatted, e.g. "{product}" or "{count, plural".
    expect(part.replace(/<style[\s\S]*?<\/style>/g, '')).not.toMatch(/\{[A-Za-z]+(,|\})/);
  }
  // No raw catalog key: a key never stands alone as a line of text or as an element's content.
  const lines = new Set(email.text.split('\n').map((l) => l.trim()));
  for (const key of [...templateKeys, ...sharedKeys]) {
    expect(lines.has(key)).toBe(false);
    expect(email.html).not.toContain(`>${key}<`);
  }

  const unsubscribe = input.links.unsubscribe;
  expect(email.html).toContain(`href="${unsubscribe}"`);
  expect(email.text).toMatch(new RegExp(`\\S \\(${unsubscribe.replace(/[.?/]/g, '\\$&')}\\)`));
  // The text part is text: no tags, no entities, no hidden preheader line.
  expect(email.text).not.toMatch(/<\/?[a-z][^>]*>/i);
  expect(email.text).not.toMatch(/&(amp|lt|gt|quot|nbsp|#\d+);/);
  expect(email.text.split('\n')[0]).not.toBe(email.preheader);
  expect(email.text).not.toMatch(/\n{3,}/);

  if (email.dir === 'rtl') {
    expect(email.html).not.toContain('text-align:left');
    expect(email.html).toContain('text-align:right');
    expect(email.html).not.toContain('direction:ltr');
  } else {
    expect(email.html).not.toContain('direction:rtl');
  }
});

test.each(['csat-survey', 'nps-survey', 'ces-survey', 'survey-reminder'])('%s carries one one-click link per score in both parts', (template) => {
  for (const locale of renderer.locales(template)) {
    const input = sampleInput(renderer.templatesDir, template, locale);
    const scores = input.links.scores as { score: number; url: string }[];
    const email = renderer.render(input);
    expect(scores.length).toBe({ 'csat-survey': 5, 'ces-survey': 7 }[template] ?? 11);
    for (const { score, url } of scores) {
      // Handlebars escapes "=" in attribute values (&#x3D;), which every HTML parser decodes back.
      expect(email.html).toContain(`href="${url.replace(/=/g, '&#x3D;')}"`);
      expect(email.text).toContain(`${score} (${url})`);
    }
  }
});

test('periodic-checkin has the one-click "I need help" link', () => {
  for (const locale of renderer.locales('periodic-checkin')) {
    const input = sampleInput(renderer.templatesDir, 'periodic-checkin', locale);
    const email = renderer.render(input);
    expect(email.html).toContain(`href="${input.links.help}"`);
    expect(email.text).toContain(`(${input.links.help})`);
  }
  expect(renderer.render(sampleInput(renderer.templatesDir, 'periodic-checkin', 'en')).text).toContain('I need help (https://example.com/h/sample-token)');
});

test('RTL mirrors list padding: the bullet indent sits on the right in Arabic and on the left otherwise', () => {
  const ar = renderer.render(sampleInput(renderer.templatesDir, 'onboarding-tips-1', 'ar')).html;
  const en = renderer.render(sampleInput(renderer.templatesDir, 'onboarding-tips-1', 'en')).html;
  expect(ar).toContain('padding-right:22px;padding-left:0');
  expect(en).toContain('padding-left:22px;padding-right:0');
});

test('loyalty-milestone uses ICU ordinals and plurals in each language', () => {
  const render = (locale: string, purchaseCount: number) => {
    const input = sampleInput(renderer.templatesDir, 'loyalty-milestone', locale);
    return renderer.render({ ...input, data: { ...input.data, purchaseCount } });
  };
  expect(render('en', 1).subject).toBe('Thank you for your 1st purchase');
  expect(render('en', 22).subject).toBe('Thank you for your 22nd purchase');
  expect(render('en', 23).subject).toBe('Thank you for your 23rd purchase');
  expect(render('en', 11).subject).toBe('Thank you for your 11th purchase');
  expect(render('en', 1).text).toContain('you have made 1 purchase with');
  expect(render('en', 5).text).toContain('you have made 5 purchases with');
  expect(render('de', 3).subject).toBe('Danke für Ihren 3. Einkauf');
  expect(render('de', 1).text).toContain('1 Einkauf bei');
  expect(render('de', 4).text).toContain('4 Einkäufe bei');
  // Latvian has a "zero" category (10, 11–19, 20, …) besides one (1, 21, …) and other.
  expect(render('lv', 10).text).toContain('10 pirkumu');
  expect(render('lv', 21).text).toContain('21 pirkums');
  expect(render('lv', 3).text).toContain('3 pirkumi');
  // Arabic: one, two, few (3–10), many (11–99).
  expect(render('ar', 1).text).toContain('عملية شراء واحدة');
  expect(render('ar', 2).text).toContain('عمليتَي شراء');
  expect(render('ar', 5).text).toContain('5 عمليات شراء');
  expect(render('ar', 15).text).toContain('15 عملية شراء');
  expect(render('vi', 1).subject).toContain('lần mua hàng đầu tiên');
  expect(render('vi', 7).subject).toContain('lần mua hàng thứ 7');
});

test('dates follow the customer time zone and locale', () => {
  const input = sampleInput(renderer.templatesDir, 'periodic-checkin', 'de');
  // 23:30 UTC on 4 March is already 5 March in Berlin and still 4 March in New York.
  const at = (locale: string, timeZone: string) =>
    renderer.render({ ...input, customer: { ...input.customer, locale, timeZone }, data: { ...input.data, lastVisit: '2025-03-04T23:30:00Z' } }).text;
  expect(at('de', 'Europe/Berlin')).toContain('am 5. März 2025');
  expect(at('de', 'America/New_York')).toContain('am 4. März 2025');
  expect(at('ja', 'Asia/Tokyo')).toContain('2025年3月5日');
  // An unknown zone falls back to UTC rather than failing the email.
  expect(at('de', 'Mars/Olympus_Mons')).toContain('am 4. März 2025');
});

test('the shipped templates pass lint', () => {
  expect(renderer.lint()).toEqual([]);
});

test.each(['en', 'de', 'ja', 'ar'])('survey-reminder (%s) words each survey kind on its own scale', (locale) => {
  const base = sampleInput(renderer.templatesDir, 'survey-reminder', locale);
  const text = (kind: string) => renderer.render({ ...base, data: { ...base.data, surveyKind: kind } }).text;
  // The scale line ("1 = ..., 7 = ...") names the top of each kind's scale (the sample's links are 0-10).
  expect(text('nps')).toMatch(/10 = /);
  expect(text('ces')).toMatch(/7 = /);
  expect(text('csat')).toMatch(/5 = /);
  expect(text('ces')).not.toMatch(/10 = |5 = /);
  expect(new Set([text('nps'), text('ces'), text('csat')]).size).toBe(3);
});
