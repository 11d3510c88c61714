// The placeholder-survival rule: MJML silently drops text between its tags, so a bare block helper
// there would vanish. The compiler proves every Handlebars statement made it into the HTML.
import { TemplateRenderer, sampleInput, stopMjmlCompiler } from '../../activities/render';
import { buildArtifact } from '../../activities/render/compile';
import { handlebarsStatements, lostStatements } from '../../activities/render/statements';
import { fixture, templateError } from './support';

afterAll(() => stopMjmlCompiler());

const frame = (body: string) => `<mjml lang="en" dir="ltr"><mj-body>${body}</mj-body></mjml>`;

test('statements are found in order, comments and escaped mustaches excluded', () => {
  expect(handlebarsStatements('a {{x}} {{#if y}}b{{else}}c{{/if}} {{{z}}} {{!-- {{no}} --}} \\{{literal}} {{t  "k"\n n=1}}')).toEqual([
    '{{x}}', '{{#if y}}', '{{else}}', '{{/if}}', '{{{z}}}', '{{t "k" n=1}}',
  ]);
  expect(lostStatements('{{#if a}}{{x}}{{/if}}{{x}}', '{{#if a}}{{x}}{{/if}}')).toEqual(['{{x}}']);
});

test('a bare {{#each}} between sections is lost by MJML and reported', () => {
  const source = frame(`{{#each links.scores}}<mj-section><mj-column><mj-button href="{{url}}">{{score}}</mj-button></mj-column></mj-section>{{/each}}`);
  const { artifact, problems } = buildArtifact(source, { lang: 'en', dir: 'ltr' });
  expect(artifact).toBeUndefined();
  expect(problems.map((p) => p.code)).toEqual(['PLACEHOLDER_LOST', 'PLACEHOLDER_LOST']);
  expect(problems[0].detail).toContain('{{#each links.scores}}');
  expect(problems[0].detail).toContain('<mj-raw>');
  expect(problems[1].detail).toContain('{{/each}}');
});

test('the same block wrapped in <mj-raw> survives, in the HTML and in the text part', () => {
  const source = frame(`<mj-raw>{{#each links.scores}}</mj-raw><mj-section><mj-column><mj-button href="{{url}}">{{score}}</mj-button></mj-column></mj-section><mj-raw>{{/each}}</mj-raw>`);
  const { artifact, problems } = buildArtifact(source, { lang: 'en', dir: 'ltr' });
  expect(problems).toEqual([]);
  expect(artifact!.html).toContain('{{#each links.scores}}');
  expect(artifact!.html).toContain('{{/each}}');
  expect(artifact!.text).toMatch(/\{\{#each links\.scores\}\}[\s\S]*\{\{score\}\} \(\{\{url\}\}\)[\s\S]*\{\{\/each\}\}/);
});

test('a mustache in an MJML comment is lost too (MJML comments are not kept)', () => {
  const { problems } = buildArtifact(frame(`<mj-section><mj-column><!-- {{customer.id}} --><mj-text>x</mj-text></mj-column></mj-section>`), { lang: 'en', dir: 'ltr' });
  expect(problems.map((p) => p.detail)).toEqual([expect.stringContaining('{{customer.id}}')]);
});

test('rendering a template whose block MJML would drop fails loudly with template, locale and statement', () => {
  const r = new TemplateRenderer({ templatesDir: fixture('broken') });
  const err = templateError(() => r.render(sampleInput(r.templatesDir, 'lost-block', 'en')));
  expect(err.code).toBe('PLACEHOLDER_LOST');
  expect(err.template).toBe('lost-block');
  expect(err.locale).toBe('en');
  expect(err.detail).toContain('{{#each links.scores}} did not survive MJML compilation');
  expect(err.message).toMatch(/^lost-block\/en: PLACEHOLDER_LOST: /);
});

test('the good fixture uses mj-raw for each/if/else and renders every branch', () => {
  const r = new TemplateRenderer({ templatesDir: fixture('good') });
  const input = sampleInput(r.templatesDir, 'list', 'de');
  const without = r.render(input);
  expect(without.text).toContain('Eintrag: one');
  expect(without.text).toContain('Eintrag: two');
  expect(without.text).toContain('Das ist alles.');
  const withExtra = r.render({ ...input, data: { ...input.data, extra: true } });
  expect(withExtra.text).toContain('Es gibt noch mehr.');
  expect(withExtra.text).not.toContain('Das ist alles.');
});
