// Shared by the template suites: fixture folders, a sample input builder and error capture.
import path from 'node:path';
import { TemplateError, TemplateRenderer, sampleInput, type RenderCustomer, type RenderInput } from '../../activities/render';

export const FIXTURES = path.join(__dirname, 'fixtures');
export const fixture = (name: string) => path.join(FIXTURES, name);

/** One renderer over the shipped templates, shared by a suite (compiled templates are cached in it). */
export function shippedRenderer(): TemplateRenderer {
  return new TemplateRenderer();
}

/** The template's sample input with customer fields replaced. */
export function withCustomer(renderer: TemplateRenderer, template: string, customer: Partial<RenderCustomer> & { locale: string }): RenderInput {
  const base = sampleInput(renderer.templatesDir, template, customer.locale);
  return { ...base, customer: { id: 'c-1', email: 'c@example.com', givenName: null, familyName: null, title: null, gender: null, formality: null, ...customer } };
}

/** Runs `fn` and returns the TemplateError it throws; fails the test if it throws nothing or something else. */
export function templateError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw new Error(`expected a TemplateError, got ${(err as Error)?.stack ?? String(err)}`);
  }
  throw new Error('expected a TemplateError, nothing was thrown');
}

/** The non-empty, trimmed lines of a text part (line 0 is the product header, 1 the heading, 2 the greeting). */
export function textLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}
