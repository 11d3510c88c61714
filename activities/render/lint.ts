// `outreach template lint`: every check that can be made without a real customer, over every template
// and locale. Problems are collected, not thrown, so one run lists everything to fix.
import type { Catalog } from './catalog';
import { applyTokens, buildArtifact, oneLine } from './compile';
import { TemplateError } from './errors';
import { buildLocIndex, literalKeys, parseTemplate } from './handlebars';
import { checkMessage } from './icu';
import { localeChain, languageOf, textDirection } from './locale';
import { unescapedStatements } from './statements';
import type { RenderInput, TemplateRenderer } from './renderer';
import { sampleInput } from './samples';

export interface LintProblem {
  template: string;
  /** '*' when the problem is not specific to one locale. */
  locale: string;
  code: string;
  message: string;
}

export function formatLintProblem(p: LintProblem): string {
  return `${p.template}/${p.locale}: ${p.message}`;
}

/** Arguments every message may use without the default-locale message using them too. */
const CUSTOMER_ARGS = ['givenName', 'familyName', 'title', 'gender', 'formality', 'names', 'hasTitle'];

export function lintTemplates(renderer: TemplateRenderer): LintProblem[] {
  const problems: LintProblem[] = [];
  const add = (template: string, locale: string, code: string, message: string) => problems.push({ template, locale, code, message });
  const def = renderer.defaultLocale;

  const shared = renderer.sharedCatalogs();
  for (const p of shared.problems) add('_shared', p.locale, 'CATALOG_INVALID', p.problem);
  const sharedDefault = shared.catalogs.get(def);
  if (shared.catalogs.size > 0 && !sharedDefault) add('_shared', def, 'MISSING_KEY', `no shared catalog for the default locale (_shared/locales/${def}.yaml)`);
  const reserved = new Set(CUSTOMER_ARGS);
  for (const c of shared.catalogs.values()) for (const k of c.entries.keys()) if (k.startsWith('address.')) reserved.add(k.slice('address.'.length));
  if (sharedDefault) {
    for (const c of shared.catalogs.values()) lintCatalog('_shared', c, sharedDefault, reserved, add);
  }

  const templates = renderer.templates();
  if (templates.length === 0) add('*', '*', 'UNKNOWN_TEMPLATE', `no templates in ${renderer.templatesDir}`);

  for (const template of templates) {
    const files = renderer.templateFiles(template, def);
    for (const p of files.catalogProblems) add(template, p.locale, 'CATALOG_INVALID', p.problem);
    const defCatalog = files.catalogs.get(def);
    // A default catalog that failed to parse is already reported; its keys would only echo as noise.
    const defBroken = files.catalogProblems.some((p) => p.locale === def);
    if (!defCatalog && !defBroken) add(template, def, 'MISSING_KEY', `no catalog for the default locale (locales/${def}.yaml)`);
    if (files.source instanceof Error) {
      add(template, '*', 'MJML_INVALID', files.source.message);
      continue;
    }

    // Source-level checks, once per template.
    for (const s of unescapedStatements(files.source)) {
      if (/\bcustomer\b/.test(s) || /^\{\{\{?~?\s*&?\s*t\s/.test(s) || /\bdata\.comment\b/.test(s)) {
        add(template, '*', 'UNESCAPED', `${s} outputs customer data without HTML escaping; use {{…}} instead of {{{…}}}`);
      }
    }
    let sourceKeys = new Set<string>();
    try {
      sourceKeys = literalKeys(buildLocIndex(parseTemplate(applyTokens(files.source, { lang: def, dir: 'ltr' }))));
    } catch (err) {
      add(template, '*', 'TEMPLATE_SYNTAX', oneLine((err as Error).message));
    }
    for (const key of defBroken ? [] : sourceKeys) {
      if (!defCatalog?.entries.has(key) && !sharedDefault?.entries.has(key)) add(template, def, 'MISSING_KEY', `{{t "${key}"}} has no entry in locales/${def} or _shared/locales/${def}`);
    }
    for (const key of ['subject', 'preheader']) {
      if (defCatalog && !defCatalog.entries.has(key)) add(template, def, 'MISSING_KEY', `catalog key '${key}' is required`);
    }

    const sharedLocales = new Set(shared.catalogs.keys());
    for (const catalog of files.catalogs.values()) {
      const locale = catalog.locale;
      if (defCatalog) lintCatalog(template, catalog, defCatalog, reserved, add);

      // Greeting and footer come from the shared catalogs: a locale without one would greet in English.
      if (shared.catalogs.size > 0) {
        const sharedFirst = localeChain(locale, sharedLocales, def)[0];
        if (!sharedFirst || languageOf(sharedFirst) !== languageOf(locale)) {
          add(template, locale, 'MISSING_KEY', `no shared catalog for ${locale} (address and footer would fall back to ${sharedFirst ?? 'nothing'})`);
        }
      }

      let expanded: string;
      try {
        expanded = applyTokens(files.source, { lang: locale, dir: textDirection(locale) });
      } catch (err) {
        add(template, locale, 'MJML_INVALID', (err as Error).message);
        continue;
      }
      const built = buildArtifact(expanded, { lang: locale, dir: textDirection(locale) });
      for (const p of built.problems) add(template, locale, p.code, p.detail);
      if (built.problems.length) continue;

      // A render with the template's sample data catches what static checks cannot: ICU arguments the
      // data does not provide, variables the sample (and so, likely, the caller) does not set.
      let input: RenderInput | undefined;
      try {
        input = sampleInput(renderer.templatesDir, template, locale);
      } catch (err) {
        add(template, locale, 'SAMPLE', (err as Error).message);
      }
      if (!input) continue;
      try {
        const email = renderer.render(input);
        if (email.html.includes('{{') || email.text.includes('{{')) add(template, locale, 'PLACEHOLDER_LOST', 'the rendered sample still contains "{{"');
        if (!email.subject) add(template, locale, 'MISSING_KEY', 'empty subject');
        if (!email.html.includes(escapeAttr(input.links.unsubscribe))) add(template, locale, 'MISSING_VARIABLE', 'the rendered HTML has no unsubscribe link');
        if (!email.text.includes(input.links.unsubscribe)) add(template, locale, 'MISSING_VARIABLE', 'the text part has no unsubscribe link');
      } catch (err) {
        if (err instanceof TemplateError) add(template, locale, err.code, `sample render failed: ${err.detail}`);
        else add(template, locale, 'RENDER', `sample render failed: ${(err as Error).message}`);
      }
    }
  }
  return problems;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/=/g, '&#x3D;').replace(/`/g, '&#x60;');
}

/** Keys missing or extra against the default catalog, ICU syntax, and arguments the default message does not use. */
function lintCatalog(
  template: string,
  catalog: Catalog,
  defCatalog: Catalog,
  reserved: Set<string>,
  add: (template: string, locale: string, code: string, message: string) => void,
): void {
  const locale = catalog.locale;
  const isDefault = catalog === defCatalog;
  if (!isDefault) {
    for (const key of defCatalog.entries.keys()) {
      if (!catalog.entries.has(key)) add(template, locale, 'MISSING_KEY', `missing key '${key}' (falls back to ${defCatalog.locale})`);
      else if (catalog.entries.get(key)!.trim() === '') add(template, locale, 'MISSING_KEY', `key '${key}' is empty (falls back to ${defCatalog.locale})`);
    }
    for (const key of catalog.entries.keys()) if (!defCatalog.entries.has(key)) add(template, locale, 'EXTRA_KEY', `extra key '${key}' not in ${defCatalog.locale}`);
  }
  for (const [key, source] of catalog.entries) {
    if (key === 'meta.register') {
      if (source.trim() !== 'formal' && source.trim() !== 'informal') add(template, locale, 'CATALOG_INVALID', `meta.register must be 'formal' or 'informal'`);
      continue;
    }
    const checked = checkMessage(source, locale);
    if ('error' in checked) {
      add(template, locale, 'ICU_SYNTAX', `key '${key}': ${checked.error}`);
      continue;
    }
    if (isDefault) continue;
    const defSource = defCatalog.entries.get(key);
    if (defSource === undefined) continue;
    const defChecked = checkMessage(defSource, defCatalog.locale);
    if ('error' in defChecked) continue;
    for (const a of checked.args) {
      if (!defChecked.args.has(a) && !reserved.has(a)) add(template, locale, 'ICU_ARGUMENT', `key '${key}' uses {${a}}, which the ${defCatalog.locale} message does not (typo?)`);
    }
  }
}
