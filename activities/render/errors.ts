// Every way a template can fail to produce a correct email. All of them are permanent for the given
// input (retrying the same template, locale and data renders the same broken result), so the activity
// turns a TemplateError into a non-retryable failure instead of letting Temporal retry it.

export type TemplateErrorCode =
  /** A Handlebars variable, an ICU argument or a required link is absent (or null where a value is needed). */
  | 'MISSING_VARIABLE'
  /** A value is present but unusable (not a date, not a number, an unsafe link). */
  | 'INVALID_VARIABLE'
  /** A catalog key is absent from the customer's locale, every fallback locale and the default locale. */
  | 'MISSING_KEY'
  | 'UNKNOWN_TEMPLATE'
  /** MJML validation failed or the MJML compiler could not run. */
  | 'MJML_INVALID'
  /** A Handlebars statement of the source did not survive MJML compilation (MJML drops text between tags). */
  | 'PLACEHOLDER_LOST'
  | 'ICU_SYNTAX'
  /** A catalog file cannot be read or parsed, or holds something other than strings. */
  | 'CATALOG_INVALID'
  /** The Handlebars syntax of the template is broken. */
  | 'TEMPLATE_SYNTAX';

export class TemplateError extends Error {
  /** Always true: the lead's activity maps this to ApplicationFailure.nonRetryable. */
  readonly nonRetryable = true;

  constructor(
    readonly code: TemplateErrorCode,
    readonly template: string,
    readonly locale: string,
    readonly detail: string,
  ) {
    super(`${template}/${locale}: ${code}: ${detail}`);
    this.name = 'TemplateError';
  }
}

export function isTemplateError(err: unknown): err is TemplateError {
  return err instanceof TemplateError;
}
