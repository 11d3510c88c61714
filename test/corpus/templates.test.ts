// Runs the template and catalog parts of the bad-input corpus: `template lint` over the corpus
// folder, and a render of each case's sample input. Every case: lint names the template, locale and
// problem; the render throws a TemplateError with the expected code (never another error), or renders
// an email in which the hostile value is harmless. The control template `clean` stays clean.
import path from 'node:path';
import { TemplateError, TemplateRenderer, formatLintProblem, sampleInput, stopMjmlCompiler, type LintProblem, type RenderInput } from '../../activities/render';
import { templateCases } from './index';
import type { TemplateCase } from './types';

const DIR = path.join(__dirname, 'fixtures', 'templates');

function inputFor(c: TemplateCase): RenderInput {
  const o = c.input.render ?? {};
  const locale = o.locale ?? 'en';
  const base = sampleInput(DIR, c.input.folder, locale);
  return {
    template: o.template ?? c.input.folder,
    customer: o.customer === null ? (null as unknown as RenderInput['customer']) : { ...base.customer, ...(o.customer ?? {}), locale },
    links: (o.links ?? base.links) as RenderInput['links'],
    data: { ...base.data, ...(o.data ?? {}) },
  };
}

describe('bad-input corpus: templates and catalogs', () => {
  let renderer: TemplateRenderer;
  let problems: LintProblem[];
  beforeAll(() => {
    renderer = new TemplateRenderer({ templatesDir: DIR });
    problems = renderer.lint();
  });
  afterAll(() => stopMjmlCompiler());

  it('lint leaves the control template alone and reports every broken folder', () => {
    expect(problems.filter((p) => p.template === 'clean')).toEqual([]);
    const broken = new Set(templateCases.filter((c) => c.expect.lint).map((c) => c.input.folder));
    expect(new Set(problems.map((p) => p.template))).toEqual(broken);
  });

  it.each(templateCases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const { lint, render } = c.expect;
    if (lint) {
      const mine = problems.filter((p) => p.template === c.input.folder);
      const hit = mine.find((p) => p.code === lint.code && p.locale === lint.locale && lint.message.test(p.message));
      if (!hit) throw new Error(`no ${lint.code} problem for ${c.input.folder}/${lint.locale} matching ${lint.message}; got:\n${mine.map((p) => `${p.code} ${formatLintProblem(p)}`).join('\n')}`);
      expect(formatLintProblem(hit).startsWith(`${c.input.folder}/${lint.locale}: `)).toBe(true);
    }

    // A fresh renderer per case, as a worker would meet the template for the first time.
    const r = new TemplateRenderer({ templatesDir: DIR });
    const input = inputFor(c);
    if ('error' in render) {
      let caught: unknown;
      try {
        r.render(input);
      } catch (err) {
        caught = err;
      }
      if (!(caught instanceof TemplateError)) throw new Error(`expected a TemplateError ${render.error}, got ${caught === undefined ? 'an email' : (caught as Error)?.stack}`);
      expect(caught.code).toBe(render.error);
      expect(caught.nonRetryable).toBe(true);
      expect(caught.message).toMatch(render.message);
      expect(caught.message).not.toMatch(/\n/); // one line, ready for a log or a CLI
      return;
    }
    const email = r.render(input);
    expect(email.subject).not.toBe('');
    expect(email.html).toContain(input.links.unsubscribe);
    if ('safe' in render) {
      for (const check of render.safe) {
        const part = email[check.part];
        if (check.includes !== undefined) expect(part).toContain(check.includes);
        if (check.excludes !== undefined) {
          if (typeof check.excludes === 'string') expect(part).not.toContain(check.excludes);
          else expect(part).not.toMatch(check.excludes);
        }
      }
    }
  });
});
