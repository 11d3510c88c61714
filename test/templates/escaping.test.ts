// Hostile customer data: HTML is escaped, header injection through the subject is impossible, and
// script URLs are refused.
import { TemplateRenderer, sampleInput, stopMjmlCompiler } from '../../activities/render';
import { fixture, shippedRenderer, templateError, textLines, withCustomer } from './support';

const renderer = shippedRenderer();
afterAll(() => stopMjmlCompiler());

test('a <script> name is escaped in the HTML and kept as plain characters in the text part', () => {
  const e = renderer.render(withCustomer(renderer, 'onboarding-welcome', { locale: 'en', givenName: '<script>alert(1)</script>', familyName: 'X' }));
  expect(e.html).not.toContain('<script>');
  expect(e.html).toContain('Hi &lt;script&gt;alert(1)&lt;/script&gt;,');
  expect(textLines(e.text)).toContain('Hi <script>alert(1)</script>,');
});

test('quotes cannot break out of an attribute or into markup', () => {
  const hostile = `"><img src=x onerror=alert(1)> O'Brien`;
  const input = withCustomer(renderer, 'onboarding-welcome', { locale: 'en', givenName: hostile });
  const e = renderer.render({ ...input, data: { ...input.data, product: hostile } });
  expect(e.html).not.toContain('<img src=x');
  expect(e.html).not.toContain('"><img');
  expect(e.html).toContain('&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; O&#x27;Brien');
  // The subject is in <title> and aria-label="…": escaped there too.
  expect(e.html).toMatch(/aria-label="Welcome to &quot;&gt;&lt;img/);
});

test('CR/LF in customer data never reaches the subject (no header injection) and never splits the greeting', () => {
  const input = withCustomer(renderer, 'onboarding-welcome', { locale: 'de', givenName: 'Eve\r\nBcc: victim@example.com', familyName: 'Mallory\nX', gender: 'female' });
  const e = renderer.render({ ...input, data: { ...input.data, product: 'Acme\r\nBcc: victim@example.com\r\n' } });
  expect(e.subject).toBe('Willkommen bei Acme Bcc: victim@example.com');
  expect(e.subject).not.toMatch(/[\r\n\u2028\u2029]/);
  expect(e.preheader).not.toMatch(/[\r\n]/);
  expect(textLines(e.text)).toContain('Sehr geehrte Frau Mallory X,');
  expect(e.html).toContain('Sehr geehrte Frau Mallory X,');
});

test('a subject built from the customer name stays on one line', () => {
  const r = new TemplateRenderer({ templatesDir: fixture('strict') });
  const input = sampleInput(r.templatesDir, 'name-subject', 'en');
  for (const name of ['Eve\r\nBcc: a@b.c', 'Eve\u2028Bcc: a@b.c', 'Eve\u0085Bcc', 'Eve\tBcc\u0000']) {
    const e = r.render({ ...input, customer: { ...input.customer, givenName: name } });
    expect(e.subject).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(e.subject.startsWith('Hello Eve ')).toBe(true);
  }
});

test('links with script or data: URLs are refused, and unsubscribe must be http(s) or mailto', () => {
  const input = sampleInput(renderer.templatesDir, 'periodic-checkin', 'en');
  const bad = templateError(() => renderer.render({ ...input, links: { ...input.links, help: 'javascript:alert(1)' } }));
  expect(bad.code).toBe('INVALID_VARIABLE');
  expect(bad.detail).toContain('links.help');
  const survey = sampleInput(renderer.templatesDir, 'csat-survey', 'en');
  const scores = [...(survey.links.scores as { score: number; url: string }[])];
  scores[2] = { score: 3, url: 'javascript:alert(1)' };
  expect(templateError(() => renderer.render({ ...survey, links: { ...survey.links, scores } })).detail).toContain('links.scores[].url');
  const unsub = templateError(() => renderer.render({ ...input, links: { ...input.links, unsubscribe: 'ftp://example.com/u' } }));
  expect(unsub.code).toBe('INVALID_VARIABLE');
  expect(renderer.render({ ...input, links: { ...input.links, unsubscribe: 'mailto:unsubscribe@example.com?subject=stop' } }).text).toContain('(mailto:unsubscribe@example.com?subject=stop)');
});

test('a customer comment keeps its line breaks in the internal alert, escaped', () => {
  const input = sampleInput(renderer.templatesDir, 'low-score-alert', 'en');
  const e = renderer.render({ ...input, data: { ...input.data, comment: 'Bad <b>support</b>\nand slow' } });
  expect(e.html).toContain('Bad &lt;b&gt;support&lt;/b&gt;\nand slow');
  expect(e.text).toContain('Bad <b>support</b>\nand slow');
});
