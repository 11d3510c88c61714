// TemplateRenderer: the one object the send activity, the CLI and the preview server use. Rendering an
// email runs only Handlebars and ICU formatters; MJML runs once per template, locale and content hash.
import fs from 'node:fs';
import path from 'node:path';
import { readCatalogs, type Catalog, type CatalogProblem } from './catalog';
import { applyTokens, artifactOrThrow, expandIncludes } from './compile';
import { TemplateError } from './errors';
import {
  buildLocIndex,
  compileHtmlTemplate,
  emailTemplateSource,
  describeHandlebarsError,
  effectiveZone,
  literalKeys,
  parseTemplate,
  type CompiledCatalog,
  type CompiledTemplate,
  type LocIndex,
  type RenderState,
} from './handlebars';
import { compileMessage, type CompiledMessage } from './icu';
import { canonicalLocale, languageOf, localeChain, textDirection } from './locale';
import { tidyText } from './text';
import { lintTemplates, type LintProblem } from './lint';

export interface RenderCustomer {
  id: string;
  email: string;
  givenName?: string | null;
  familyName?: string | null;
  title?: string | null;
  gender?: string | null;
  locale: string;
  timeZone?: string | null;
  formality?: 'formal' | 'informal' | null;
}

export interface RenderInput {
  template: string;
  customer: RenderCustomer;
  links: { unsubscribe: string; [name: string]: unknown };
  data?: Record<string, unknown>;
}

export interface RenderedEmail {
  template: string;
  /** The locale the email was written in (first locale of the customer's chain with a catalog for it). */
  locale: string;
  lang: string;
  dir: 'ltr' | 'rtl';
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

export interface RendererOptions {
  /** Folder holding one folder per template plus `_shared/`. Default: the repository's `templates/`. */
  templatesDir?: string;
  defaultLocale?: string;
}

export const DEFAULT_TEMPLATES_DIR = path.resolve(__dirname, '../../templates');
export const SHARED_DIR = '_shared';
export const TEMPLATE_FILE = 'template.mjml';

/** The template's own files, read once per renderer. */
interface TemplateFiles {
  name: string;
  dir: string;
  /** Expanded MJML source (includes inlined), or the reason it could not be read. */
  source: string | Error;
  catalogs: Map<string, Catalog>;
  catalogProblems: CatalogProblem[];
}

interface Entry {
  catalog: CompiledCatalog;
  lang: string;
  dir: 'ltr' | 'rtl';
  /** HTML and text part in one template (see emailTemplateSource). */
  email: CompiledTemplate;
  locs: LocIndex;
  subject: CompiledMessage;
  preheader: CompiledMessage;
  /** Address messages in dependency order; each result becomes an argument for the next and for every other message. */
  address: { arg: string; message: CompiledMessage }[];
  register: 'formal' | 'informal';
  /** The MJML source with includes and compile-time tokens applied (what MJML compiled). */
  expandedSource: string;
  /** Handlebars over the MJML source, compiled on demand for the benchmark's naive path only. */
  source?: { template: CompiledTemplate; locs: LocIndex };
}

interface Resolution {
  entry: Entry;
  formatLocale: string;
}

const REGISTERS = new Set(['formal', 'informal']);
const MAX_RESOLUTIONS = 10_000;
// Characters that must never reach a header or break a line of running text: C0/C1 controls, line and
// paragraph separators. A CRLF in a customer's name would otherwise inject headers through the subject.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_RUNS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

function clean(value: string): string {
  if (CONTROL.test(value)) return value.replace(CONTROL_RUNS, ' ').replace(/ {2,}/g, ' ').trim();
  // Most values need nothing: skip trim()'s copy when neither end is whitespace.
  const n = value.length;
  return n === 0 || (value.charCodeAt(0) > 32 && value.charCodeAt(n - 1) > 32) ? value : value.trim();
}

function cleanOrNull(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const v = clean(String(value));
  return v === '' ? null : v;
}

/** Maps free-form gender data onto the three values catalogs select on; anything unknown stays neutral. */
export function normalizeGender(gender: string | null | undefined): 'female' | 'male' | 'other' {
  const g = (gender ?? '').trim().toLowerCase();
  if (g === 'female' || g === 'f' || g === 'woman' || g === 'w') return 'female';
  if (g === 'male' || g === 'm' || g === 'man') return 'male';
  return 'other';
}

export class TemplateRenderer {
  readonly templatesDir: string;
  readonly defaultLocale: string;
  private readonly files = new Map<string, TemplateFiles>();
  private readonly entries = new Map<string, Entry>();
  private readonly resolutions = new Map<string, Resolution>();
  private shared?: { catalogs: Map<string, Catalog>; problems: CatalogProblem[] };
  private templateNames?: string[];
  private readonly mentionCache = new Map<string, boolean>();

  constructor(opts: RendererOptions = {}) {
    this.templatesDir = path.resolve(opts.templatesDir ?? DEFAULT_TEMPLATES_DIR);
    const def = canonicalLocale(opts.defaultLocale ?? 'en');
    if (!def) throw new Error(`invalid default locale '${opts.defaultLocale}'`);
    this.defaultLocale = def;
  }

  /** Template names: every folder with a template.mjml, except `_shared` and other `_`-prefixed folders. */
  templates(): string[] {
    if (!this.templateNames) {
      let names: string[] = [];
      try {
        names = fs
          .readdirSync(this.templatesDir, { withFileTypes: true })
          .filter((d) => d.isDirectory() && !d.name.startsWith('_') && !d.name.startsWith('.'))
          .filter((d) => fs.existsSync(path.join(this.templatesDir, d.name, TEMPLATE_FILE)))
          .map((d) => d.name)
          .sort();
      } catch {
        names = [];
      }
      this.templateNames = names;
    }
    return [...this.templateNames];
  }

  /** Locales with a catalog for `template`, the default locale first. */
  locales(template: string): string[] {
    const files = this.templateFiles(template, this.defaultLocale);
    return [...files.catalogs.keys()].sort((a, b) => (a === this.defaultLocale ? -1 : b === this.defaultLocale ? 1 : a.localeCompare(b)));
  }

  render(input: RenderInput): RenderedEmail {
    const { entry, context, state } = this.prepare(input);
    const catalog = entry.catalog;
    const html = run(entry.email, context, state, catalog);
    const text = tidyText(state.text ?? '');
    return { template: catalog.template, locale: catalog.locale, lang: entry.lang, dir: entry.dir, subject: context.subject, preheader: context.preheader, html, text };
  }

  /**
   * @internal For the benchmark's naive path: runs Handlebars over the MJML source itself (same data,
   * helpers and catalogs as render), leaving MJML to be compiled per email.
   */
  personalizeSource(input: RenderInput): string {
    const { entry, context, state } = this.prepare(input);
    if (!entry.source) {
      const locs = buildLocIndex(parseTemplate(entry.expandedSource));
      entry.source = { template: compileHtmlTemplate(entry.expandedSource), locs };
    }
    state.locs = entry.source.locs;
    return run(entry.source.template, context, state, entry.catalog);
  }

  /** Everything per email except running the templates: arguments, address forms, subject, preheader. */
  private prepare(input: RenderInput) {
    const { customer } = input;
    if (!customer || typeof customer !== 'object') throw new TemplateError('MISSING_VARIABLE', String(input.template), '?', `customer is not defined`);
    const { entry, formatLocale } = this.resolve(input.template, customer.locale);
    const catalog = entry.catalog;
    checkLinks(input.links, catalog);
    const data = input.data ?? {};

    const given = cleanOrNull(customer.givenName);
    const family = cleanOrNull(customer.familyName);
    const title = cleanOrNull(customer.title);
    const gender = normalizeGender(customer.gender);
    const formality = customer.formality && REGISTERS.has(customer.formality) ? customer.formality : entry.register;

    const args: Record<string, unknown> = {};
    for (const k in data) {
      const v = data[k];
      if (typeof v === 'string') args[k] = clean(v);
      else if (typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) args[k] = v;
    }
    // Customer and address values are reserved names: they win over same-named data fields.
    args.givenName = given ?? '';
    args.familyName = family ?? '';
    args.title = title ?? '';
    args.gender = gender;
    args.formality = formality;
    args.names = given && family ? 'both' : given ? 'given' : family ? 'family' : 'none';
    args.hasTitle = title ? 'yes' : 'no';
    for (const a of entry.address) args[a.arg] = a.message.constant ?? clean(a.message.format(args));

    const subject = clean(entry.subject.constant ?? entry.subject.format(args));
    if (!subject) throw new TemplateError('MISSING_KEY', catalog.template, catalog.locale, `catalog key 'subject' formats to an empty string`);
    const preheader = clean(entry.preheader.constant ?? entry.preheader.format(args));

    const context = {
      customer: {
        id: customer.id,
        email: customer.email,
        givenName: given,
        familyName: family,
        title,
        gender,
        locale: customer.locale,
        timeZone: customer.timeZone ?? null,
        formality,
      },
      links: input.links,
      data,
      subject,
      preheader,
      lang: entry.lang,
      dir: entry.dir,
      locale: catalog.locale,
    };
    const state: RenderState = { catalog, args, formatLocale, zone: effectiveZone(customer.timeZone), locs: entry.locs, memo: new Map() };
    return { entry, context, state };
  }

  /**
   * Compiles every template in every locale now rather than on first use, giving the event loop a turn
   * between compiles. Optional: a worker can call it at start so the first emails do not wait for MJML.
   */
  async warm(): Promise<void> {
    for (const template of this.templates()) {
      for (const locale of this.locales(template)) {
        this.resolve(template, locale);
        await new Promise((r) => setImmediate(r));
      }
    }
  }

  lint(): LintProblem[] {
    return lintTemplates(this);
  }

  // -------------------------------------------------------------------------------------------------
  // Internals shared with lint (not part of the public API).

  /**
   * Whether `template` can read the data field `name`: its MJML (includes expanded), one of its
   * catalogs or a shared catalog mentions the word. The send path skips computing values a template
   * never shows (a database count per email). Errs towards true: an unknown or unreadable template
   * says yes, and rendering then reports the real problem.
   */
  mentions(template: string, name: string): boolean {
    const key = `${template}\u0000${name}`;
    let answer = this.mentionCache.get(key);
    if (answer === undefined) {
      const word = new RegExp(`(^|[^A-Za-z0-9_$])${name.replace(/[$]/g, '\\$&')}($|[^A-Za-z0-9_$])`);
      try {
        const files = this.templateFiles(template, this.defaultLocale);
        const catalogs = [...files.catalogs.values(), ...this.sharedCatalogs().catalogs.values()];
        answer = typeof files.source !== 'string' || word.test(files.source) || catalogs.some((c) => [...c.entries.values()].some((v) => word.test(v)));
      } catch {
        answer = true;
      }
      this.mentionCache.set(key, answer);
    }
    return answer;
  }

  /** @internal */
  sharedCatalogs(): { catalogs: Map<string, Catalog>; problems: CatalogProblem[] } {
    this.shared ??= readCatalogs(path.join(this.templatesDir, SHARED_DIR, 'locales'));
    return this.shared;
  }

  /** @internal */
  templateFiles(template: string, locale: string): TemplateFiles {
    let files = this.files.get(template);
    if (files) return files;
    if (typeof template !== 'string' || !this.templates().includes(template)) {
      const known = this.templates();
      throw new TemplateError('UNKNOWN_TEMPLATE', String(template), locale, `no template '${template}' in ${this.templatesDir} (known: ${known.join(', ') || 'none'})`);
    }
    const dir = path.join(this.templatesDir, template);
    let source: string | Error;
    try {
      source = expandIncludes(path.join(dir, TEMPLATE_FILE), this.templatesDir);
    } catch (err) {
      source = err as Error;
    }
    const { catalogs, problems } = readCatalogs(path.join(dir, 'locales'));
    files = { name: template, dir, source, catalogs, catalogProblems: problems };
    this.files.set(template, files);
    return files;
  }

  /** @internal The chain of locales (template or shared catalogs) used for `requested`. */
  chainFor(template: string, requested: string): string[] {
    const files = this.templateFiles(template, requested);
    const available = new Set([...files.catalogs.keys(), ...this.sharedCatalogs().catalogs.keys()]);
    return localeChain(requested, available, this.defaultLocale);
  }

  /** @internal */
  resolve(template: string, requestedLocale: string): Resolution {
    const rkey = `${template}\u0000${requestedLocale}`;
    const cached = this.resolutions.get(rkey);
    if (cached) return cached;
    const chain = this.chainFor(template, requestedLocale);
    const ekey = `${template}\u0000${chain.join('>')}`;
    let entry = this.entries.get(ekey);
    if (!entry) {
      entry = this.compileEntry(template, chain, requestedLocale);
      this.entries.set(ekey, entry);
    }
    // Dates and numbers follow the customer's own variant (de-AT, es-MX) when the email is in that
    // language; otherwise the email's language, so an English fallback email has English dates.
    const canonical = canonicalLocale(requestedLocale);
    const formatLocale = canonical && languageOf(canonical) === languageOf(entry.lang) ? canonical : entry.lang;
    const resolution = { entry, formatLocale };
    // Keyed by the raw customer locale string; bounded in case a data source sends endless variants.
    if (this.resolutions.size >= MAX_RESOLUTIONS) this.resolutions.clear();
    this.resolutions.set(rkey, resolution);
    return resolution;
  }

  private compileEntry(template: string, chain: string[], requested: string): Entry {
    const files = this.templateFiles(template, requested);
    const shared = this.sharedCatalogs();
    // A broken catalog first: when it is the default locale's, "no catalog" would send people looking
    // for a file that is there.
    const firstProblem = [...files.catalogProblems, ...shared.problems][0];
    if (firstProblem) throw new TemplateError('CATALOG_INVALID', template, firstProblem.locale, firstProblem.problem);
    const primary = chain.find((l) => files.catalogs.has(l));
    if (!primary) {
      throw new TemplateError('MISSING_KEY', template, requested, `no catalog for '${requested}' or its fallbacks (${chain.join(' → ') || 'none'}); the default locale ${this.defaultLocale} needs locales/${this.defaultLocale}.yaml`);
    }
    if (files.source instanceof Error) throw new TemplateError('MJML_INVALID', template, primary, files.source.message);

    const lang = primary;
    const dir = textDirection(lang);
    let expanded: string;
    try {
      expanded = applyTokens(files.source, { lang, dir });
    } catch (err) {
      throw new TemplateError('MJML_INVALID', template, primary, (err as Error).message);
    }
    const artifact = artifactOrThrow(expanded, { lang, dir }, template, primary);

    // Resolve every key along the chain: for each locale, the template's own catalog first, then the
    // shared one. Empty strings count as absent so a half-translated catalog falls back instead of
    // sending a blank line.
    const ctx = { template, locale: primary };
    const keys = new Set<string>();
    for (const l of chain) {
      files.catalogs.get(l)?.entries.forEach((_v, k) => keys.add(k));
      shared.catalogs.get(l)?.entries.forEach((_v, k) => keys.add(k));
    }
    const messages = new Map<string, CompiledMessage>();
    let register: 'formal' | 'informal' = 'informal';
    for (const key of keys) {
      let found: { value: string; locale: string } | undefined;
      for (const l of chain) {
        const v = files.catalogs.get(l)?.entries.get(key) ?? shared.catalogs.get(l)?.entries.get(key);
        if (v !== undefined && v.trim() !== '') {
          found = { value: v, locale: l };
          break;
        }
      }
      if (!found) continue;
      if (key === 'meta.register') {
        if (!REGISTERS.has(found.value.trim())) throw new TemplateError('CATALOG_INVALID', template, found.locale, `meta.register must be 'formal' or 'informal' (got '${found.value}')`);
        register = found.value.trim() as 'formal' | 'informal';
        continue;
      }
      if (key.startsWith('meta.')) continue;
      messages.set(key, compileMessage(key, found.value, found.locale, ctx));
    }

    const addressKeys = new Map<string, string>();
    for (const key of messages.keys()) if (key.startsWith('address.')) addressKeys.set(key, key.slice('address.'.length));
    const address = orderAddress(messages, addressKeys, ctx);

    const need = (key: string) => {
      const m = messages.get(key);
      if (!m) throw new TemplateError('MISSING_KEY', template, primary, `catalog key '${key}' is not defined in ${chain.join(' → ')}`);
      return m;
    };
    const subject = need('subject');
    const preheader = need('preheader');

    const constants = new Map<string, string>();
    for (const [key, m] of messages) if (m.constant !== undefined && !addressKeys.has(key)) constants.set(key, m.constant);
    const emailSource = emailTemplateSource(artifact.html, artifact.text, constants);
    const locs = buildLocIndex(parseTemplate(emailSource));
    // Every literal key the template asks for must resolve now, not halfway through someone's email.
    for (const key of literalKeys(locs)) if (!addressKeys.has(key)) need(key);

    return {
      catalog: { template, locale: primary, messages, addressKeys },
      lang,
      dir,
      email: compileHtmlTemplate(emailSource),
      locs,
      subject,
      preheader,
      address,
      register,
      expandedSource: expanded,
    };
  }
}

/** Orders address messages so that one may use another's result ("{name}" inside the greeting). */
function orderAddress(messages: Map<string, CompiledMessage>, addressKeys: Map<string, string>, ctx: { template: string; locale: string }): { arg: string; message: CompiledMessage }[] {
  const byArg = new Map<string, string>();
  for (const [key, arg] of addressKeys) byArg.set(arg, key);
  const ordered: { arg: string; message: CompiledMessage }[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (key: string, trail: string[]) => {
    const s = state.get(key);
    if (s === 'done') return;
    if (s === 'visiting') throw new TemplateError('CATALOG_INVALID', ctx.template, ctx.locale, `address messages refer to each other in a cycle: ${[...trail, key].join(' → ')}`);
    state.set(key, 'visiting');
    const message = messages.get(key)!;
    for (const a of message.args) {
      const dep = byArg.get(a);
      if (dep) visit(dep, [...trail, key]);
    }
    state.set(key, 'done');
    ordered.push({ arg: addressKeys.get(key)!, message });
  };
  for (const key of addressKeys.keys()) visit(key, []);
  return ordered;
}

const UNSAFE_SCHEME = /^\s*(javascript|vbscript|data):/i;

function checkLinks(links: RenderInput['links'] | undefined, catalog: CompiledCatalog): void {
  if (!links || typeof links !== 'object') throw new TemplateError('MISSING_VARIABLE', catalog.template, catalog.locale, `variable 'links' is not defined (links.unsubscribe is required)`);
  const u = links.unsubscribe;
  if (typeof u !== 'string' || u.trim() === '') throw new TemplateError('MISSING_VARIABLE', catalog.template, catalog.locale, `variable 'links.unsubscribe' is not defined; every email carries an unsubscribe link`);
  if (!/^(https?:\/\/|mailto:)/i.test(u.trim())) throw new TemplateError('INVALID_VARIABLE', catalog.template, catalog.locale, `links.unsubscribe must be an http(s) or mailto: URL`);
  for (const name in links) {
    const v = links[name];
    if (typeof v === 'string' && UNSAFE_SCHEME.test(v)) throw new TemplateError('INVALID_VARIABLE', catalog.template, catalog.locale, `links.${name} uses a script or data: URL`);
    if (Array.isArray(v)) {
      // Lists of links, such as survey scores: [{ score, url }].
      for (const item of v) {
        const url = item && typeof item === 'object' ? (item as { url?: unknown }).url : undefined;
        if (typeof url === 'string' && UNSAFE_SCHEME.test(url)) throw new TemplateError('INVALID_VARIABLE', catalog.template, catalog.locale, `links.${name}[].url uses a script or data: URL`);
      }
    }
  }
}

function run(tpl: CompiledTemplate, context: unknown, state: RenderState, catalog: CompiledCatalog): string {
  try {
    return tpl(context, { data: { r: state } });
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    const missing = describeHandlebarsError(err, state.locs);
    if (missing) throw new TemplateError('MISSING_VARIABLE', catalog.template, catalog.locale, missing);
    throw new TemplateError('INVALID_VARIABLE', catalog.template, catalog.locale, (err as Error)?.message ?? String(err));
  }
}
