// Public surface of email rendering: the send activity, the CLI and the preview server import from here.
export { TemplateRenderer, normalizeGender, DEFAULT_TEMPLATES_DIR } from './renderer';
export type { RenderCustomer, RenderInput, RenderedEmail, RendererOptions } from './renderer';
export { TemplateError, isTemplateError } from './errors';
export type { TemplateErrorCode } from './errors';
export { formatLintProblem } from './lint';
export type { LintProblem } from './lint';
export { sampleInput, sampleCustomer } from './samples';
export { stopMjmlCompiler } from './mjml';
export { canonicalLocale, localeChain, textDirection } from './locale';
