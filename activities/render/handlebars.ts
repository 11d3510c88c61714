// The Handlebars side of rendering: one private environment with the catalog, date and number helpers,
// strict versions of the built-in block helpers, and a location index that turns Handlebars' terse
// errors ("\"x\" not defined in [object Object] - 3:14") into the variable's full path.
import Handlebars from 'handlebars';
import { DateTime, IANAZone } from 'luxon';
import { TemplateError } from './errors';
import type { CompiledMessage } from './icu';

/** Everything a compiled template needs at render time besides the data; shared by all its emails. */
export interface CompiledCatalog {
  template: string;
  locale: string;
  messages: ReadonlyMap<string, CompiledMessage>;
  /** Address keys ("address.greeting") mapped to the argument name their value is stored under ("greeting"). */
  addressKeys: ReadonlyMap<string, string>;
}

/** Per-email state, passed to helpers through Handlebars' `@data` frame (never through the data itself). */
export interface RenderState {
  catalog: CompiledCatalog;
  /** ICU arguments: customer/address values and the top-level primitives of `data`. */
  args: Record<string, unknown>;
  /** Locale for dates and numbers (the customer's own variant when it shares the email's language). */
  formatLocale: string;
  zone: string;
  locs: LocIndex;
  /** `t` results without hash arguments: the text part asks for the same keys as the HTML part. */
  memo: Map<string, string>;
  /** The text part, captured by {{#textPart}} during the same template run as the HTML. */
  text?: string;
}

// ---------------------------------------------------------------------------------------------------
// Location index

export interface StatementInfo {
  /** Original text of each positional parameter that is a path, by position. */
  params: (string | undefined)[];
  /** Original text of each hash value that is a path, by key. */
  hash: Record<string, string>;
  helper: string;
  firstParam?: string;
}

export interface LocIndex {
  statements: Map<string, StatementInfo>;
  paths: Map<string, string>;
}

// Only the AST fields the index reads; the full Handlebars AST types are loose anyway.
interface Node {
  type: string;
  loc?: { start: { line: number; column: number } };
  original?: string;
  value?: unknown;
  body?: Node[];
  program?: Node | null;
  inverse?: Node | null;
  path?: Node;
  params?: Node[];
  hash?: { pairs: { key: string; value: Node }[] } | null;
}

const locKey = (loc: { line: number; column: number }) => `${loc.line}:${loc.column}`;

export function parseTemplate(source: string): Node {
  return Handlebars.parse(source) as unknown as Node;
}

export function buildLocIndex(ast: Node): LocIndex {
  const index: LocIndex = { statements: new Map(), paths: new Map() };
  const visit = (node: Node | null | undefined): void => {
    if (!node) return;
    switch (node.type) {
      case 'Program':
        node.body?.forEach(visit);
        return;
      case 'PathExpression':
        if (node.loc && node.original !== undefined) index.paths.set(locKey(node.loc.start), node.original);
        return;
      case 'MustacheStatement':
      case 'BlockStatement':
      case 'SubExpression':
      case 'DecoratorBlock':
      case 'Decorator': {
        const params = node.params ?? [];
        if (node.loc) {
          const hash: Record<string, string> = {};
          for (const pair of node.hash?.pairs ?? []) if (pair.value.type === 'PathExpression') hash[pair.key] = pair.value.original ?? pair.key;
          index.statements.set(locKey(node.loc.start), {
            helper: node.path?.original ?? '',
            params: params.map((p) => (p.type === 'PathExpression' ? p.original : undefined)),
            hash,
            firstParam: params[0]?.type === 'StringLiteral' ? String(params[0].value) : undefined,
          });
        }
        visit(node.path);
        params.forEach(visit);
        node.hash?.pairs.forEach((p) => visit(p.value));
        visit(node.program);
        visit(node.inverse);
        return;
      }
      default:
        return;
    }
  };
  visit(ast);
  return index;
}

/** Catalog keys the template asks for with a literal: `{{t "intro"}}` → "intro". */
export function literalKeys(index: LocIndex): Set<string> {
  const keys = new Set<string>();
  for (const s of index.statements.values()) if (s.helper === 't' && s.firstParam !== undefined) keys.add(s.firstParam);
  return keys;
}

// ---------------------------------------------------------------------------------------------------
// Environment and helpers

interface HelperOptions {
  hash: Record<string, unknown>;
  data: { r?: RenderState } & Record<string, unknown>;
  loc?: { start: { line: number; column: number } };
  fn?: unknown;
}

const hb = Handlebars.create();

function stateOf(options: HelperOptions): RenderState {
  const st = options.data?.r;
  if (!st) throw new Error('template helper called outside TemplateRenderer.render');
  return st;
}

function missing(st: RenderState, what: string): TemplateError {
  return new TemplateError('MISSING_VARIABLE', st.catalog.template, st.catalog.locale, what);
}

function invalid(st: RenderState, what: string): TemplateError {
  return new TemplateError('INVALID_VARIABLE', st.catalog.template, st.catalog.locale, what);
}

function statementAt(st: RenderState, options: HelperOptions): StatementInfo | undefined {
  return options.loc ? st.locs.statements.get(locKey(options.loc.start)) : undefined;
}

hb.registerHelper('t', function t(key: unknown, options: HelperOptions): string {
  const st = stateOf(options);
  if (typeof key !== 'string' || key === '') throw invalid(st, `{{t}} needs a catalog key as its first argument (got ${String(key)})`);
  const hash = options.hash;
  let values: Record<string, unknown> | undefined;
  for (const name in hash) {
    const v = hash[name];
    if (v === undefined) {
      const path = statementAt(st, options)?.hash[name];
      throw missing(st, `variable '${path ?? name}' (argument ${name}= of {{t "${key}"}}) is not defined`);
    }
    values ??= { ...st.args };
    values[name] = v;
  }
  if (!values) {
    const memo = st.memo.get(key);
    if (memo !== undefined) return memo;
  }
  const catalog = st.catalog;
  const addressArg = catalog.addressKeys.get(key);
  let out: string;
  if (addressArg !== undefined) {
    out = String(st.args[addressArg]);
  } else {
    const msg = catalog.messages.get(key);
    if (!msg) throw new TemplateError('MISSING_KEY', catalog.template, catalog.locale, `catalog key '${key}' is not defined in this locale, its fallbacks or the default locale`);
    out = msg.constant ?? msg.format(values ?? st.args);
  }
  if (!values) st.memo.set(key, out);
  return out;
});

// Presets by name, so templates say `format="DATE_MED"` rather than spelling Intl options.
const DATE_PRESETS: Record<string, Intl.DateTimeFormatOptions> = {
  DATE_SHORT: DateTime.DATE_SHORT,
  DATE_MED: DateTime.DATE_MED,
  DATE_FULL: DateTime.DATE_FULL,
  DATE_HUGE: DateTime.DATE_HUGE,
  TIME_SIMPLE: DateTime.TIME_SIMPLE,
  DATETIME_SHORT: DateTime.DATETIME_SHORT,
  DATETIME_MED: DateTime.DATETIME_MED,
  DATETIME_FULL: DateTime.DATETIME_FULL,
};

hb.registerHelper('date', function date(value: unknown, options: HelperOptions): string {
  const st = stateOf(options);
  const path = statementAt(st, options)?.params[0] ?? 'value';
  if (value === undefined || value === null) throw missing(st, `variable '${path}' (a date for {{date}}) is not defined`);
  let dt: DateTime;
  if (typeof value === 'string') dt = DateTime.fromISO(value, { zone: st.zone });
  else if (typeof value === 'number') dt = DateTime.fromMillis(value, { zone: st.zone });
  else if (value instanceof Date) dt = DateTime.fromJSDate(value, { zone: st.zone });
  else throw invalid(st, `variable '${path}' is not a date (ISO string, epoch milliseconds or Date)`);
  if (!dt.isValid) throw invalid(st, `variable '${path}' is not a valid date: ${String(value)}`);
  dt = dt.setZone(st.zone).setLocale(st.formatLocale);
  const format = options.hash.format ?? 'DATE_FULL';
  if (typeof format !== 'string') throw invalid(st, `{{date}} format= must be a preset name or a luxon pattern`);
  const preset = DATE_PRESETS[format];
  return preset ? dt.toLocaleString(preset) : dt.toFormat(format);
});

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}\u0000${JSON.stringify(options)}`;
  let nf = numberFormats.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, nf);
  }
  return nf;
}

function toNumber(st: RenderState, value: unknown, path: string, helper: string): number {
  if (value === undefined || value === null) throw missing(st, `variable '${path}' (a number for {{${helper}}}) is not defined`);
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw invalid(st, `variable '${path}' is not a number: ${String(value)}`);
  return n;
}

hb.registerHelper('number', function number(value: unknown, options: HelperOptions): string {
  const st = stateOf(options);
  const n = toNumber(st, value, statementAt(st, options)?.params[0] ?? 'value', 'number');
  const { style, minimumFractionDigits, maximumFractionDigits, unit } = options.hash as Record<string, string | number | undefined>;
  try {
    return numberFormat(st.formatLocale, {
      style: style as Intl.NumberFormatOptions['style'],
      unit: unit as string | undefined,
      minimumFractionDigits: minimumFractionDigits as number | undefined,
      maximumFractionDigits: maximumFractionDigits as number | undefined,
    }).format(n);
  } catch (err) {
    throw invalid(st, `{{number}}: ${(err as Error).message}`);
  }
});

hb.registerHelper('currency', function currency(amount: unknown, code: unknown, options: HelperOptions): string {
  const st = stateOf(options);
  const info = statementAt(st, options);
  const n = toNumber(st, amount, info?.params[0] ?? 'amount', 'currency');
  if (typeof code !== 'string' || !/^[A-Za-z]{3}$/.test(code)) throw invalid(st, `variable '${info?.params[1] ?? 'currency'}' is not an ISO 4217 currency code: ${String(code)}`);
  return numberFormat(st.formatLocale, { style: 'currency', currency: code.toUpperCase() }).format(n);
});

// Built-in block helpers treat an absent value as false or empty, which would quietly drop a survey's
// score links. Strict rendering: absent (undefined) is an error; explicitly null or false is "no".
for (const name of ['if', 'unless', 'each', 'with'] as const) {
  const builtin = hb.helpers[name] as (this: unknown, value: unknown, options: HelperOptions) => unknown;
  // Fixed arity (these helpers take exactly one value): no rest-array per call on the hot path.
  hb.registerHelper(name, function strictBlock(this: unknown, value: unknown, options: HelperOptions) {
    if (value === undefined && options?.data?.r) {
      const st = options.data.r;
      const path = statementAt(st, options)?.params[0] ?? 'value';
      throw missing(st, `variable '${path}' (tested by {{#${name}}}) is not defined; pass null or false for "none"`);
    }
    return builtin.call(this, value, options);
  });
}

export type CompiledTemplate = (context: unknown, options: { data: { r: RenderState } }) => string;

// Captures the text part (see emailTemplateSource) and outputs nothing into the HTML.
hb.registerHelper('textPart', function textPart(this: unknown, options: HelperOptions & { fn: (ctx: unknown) => string }): string {
  stateOf(options).text = options.fn(this);
  return '';
});

// Unused built-ins go: Handlebars re-wraps every registered helper on each template call.
hb.unregisterHelper('log');
hb.unregisterHelper('lookup');

// knownHelpersOnly: `{{subject}}` compiles to a plain (strict) lookup instead of a helper-or-value
// check, and a typo'd helper name fails at compile time rather than in someone's email.
const KNOWN_HELPERS = { t: true, date: true, number: true, currency: true, textPart: true };

export function compileHtmlTemplate(source: string): CompiledTemplate {
  return hb.compile(source, { strict: true, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true }) as CompiledTemplate;
}

const TEXT_STATEMENT = /\\?\{\{\{[\s\S]*?\}\}\}|\\?\{\{[\s\S]*?\}\}/g;

/**
 * One template for both parts, so each email pays Handlebars' per-call setup once: the HTML, then the
 * text part inside {{#textPart}}, whose mustaches become unescaped `{{&…}}` (the text part is not
 * HTML: values go in verbatim).
 */
export function emailTemplateSource(html: string, text: string, constants: ReadonlyMap<string, string> = new Map()): string {
  const inline = (escape: boolean) => (m: string) => {
    const key = CONSTANT_T.exec(m)?.[1];
    const value = key === undefined ? undefined : constants.get(key);
    // Text Handlebars would read as syntax stays a helper call rather than being escaped by hand.
    if (value === undefined || value.includes('{{') || value.includes('\\')) return undefined;
    return escape ? Handlebars.escapeExpression(value) : value;
  };
  const inlineHtml = inline(true);
  const inlineText = inline(false);
  const htmlPart = html.replace(TEXT_STATEMENT, (m) => (m.startsWith('\\') ? m : inlineHtml(m) ?? m));
  const textPart = text.replace(TEXT_STATEMENT, (m) => {
    if (m.startsWith('\\') || m.startsWith('{{{')) return m;
    return inlineText(m) ?? m.replace(/^\{\{(~?)(\s*)(?![#/^!>&{]|else\b)/, '{{$1$2&');
  });
  return `${htmlPart}{{#textPart}}${textPart}{{/textPart}}`;
}

// `{{t "key"}}` with no arguments: for a message without arguments the output is the same for every
// recipient, so it is written into the template once instead of being looked up for each email.
const CONSTANT_T = /^\{\{\s*t\s+"([^"]+)"\s*\}\}$/;

/** Converts Handlebars' strict-mode error into a MISSING_VARIABLE naming the variable's full path. */
export function describeHandlebarsError(err: unknown, locs: LocIndex): string | undefined {
  const e = err as Error & { lineNumber?: number; column?: number };
  const m = /^"([^"]+)" not defined in /.exec(e?.message ?? '');
  if (!m) return undefined;
  const path = e.lineNumber !== undefined && e.column !== undefined ? locs.paths.get(`${e.lineNumber}:${e.column}`) : undefined;
  return `variable '${path ?? m[1]}' is not defined`;
}

const zoneValidity = new Map<string, boolean>();

/** The customer's IANA zone, or UTC when absent or unknown (a date in UTC beats no email). */
export function effectiveZone(zone: string | null | undefined): string {
  if (!zone) return 'UTC';
  let ok = zoneValidity.get(zone);
  if (ok === undefined) {
    ok = IANAZone.isValidZone(zone);
    zoneValidity.set(zone, ok);
  }
  return ok ? zone : 'UTC';
}
