// ICU MessageFormat through intl-messageformat: compiling catalog strings once, the arguments each one
// needs, and strict formatting (an absent argument is an error, never an empty hole in the email).
import fs from 'node:fs';
import path from 'node:path';
import { TemplateError } from './errors';

type IntlMessageFormatModule = typeof import('intl-messageformat');
type IntlMessageFormat = InstanceType<IntlMessageFormatModule['IntlMessageFormat']>;
type MessageFormatElement = ReturnType<IntlMessageFormat['getAst']>[number];

let loaded: IntlMessageFormatModule | undefined;

/**
 * intl-messageformat 12 ships only as an ES module. Node ≥ 20.19 and tsx `require()` it fine, but
 * jest's CommonJS runtime on Node 20 refuses ES modules from node_modules. The package also ships a
 * self-contained bundle (no imports, one trailing `export {…}`); when the normal require fails we
 * evaluate that bundle instead, which is the same code.
 */
function intl(): IntlMessageFormatModule {
  if (loaded) return loaded;
  try {
    loaded = require('intl-messageformat') as IntlMessageFormatModule;
  } catch (err) {
    loaded = loadBundle(err);
  }
  return loaded;
}

function loadBundle(cause: unknown): IntlMessageFormatModule {
  const file = path.join(path.dirname(require.resolve('intl-messageformat')), 'intl-messageformat.iife.js');
  const src = fs.readFileSync(file, 'utf8');
  const m = /\nexport\s*\{([^}]*)\};?\s*(\/\/# sourceMappingURL=[^\n]*)?\s*$/.exec(src);
  if (!m) throw new Error(`cannot load intl-messageformat (${(cause as Error)?.message ?? cause}) and its bundle has an unexpected shape`);
  const exported = m[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((spec) => {
      const [local, alias] = spec.split(/\s+as\s+/);
      return `${JSON.stringify((alias ?? local).trim())}: ${local.trim()}`;
    });
  // The bundle is a fixed file inside node_modules, not user input.
  return new Function(`${src.slice(0, m.index)}\nreturn { ${exported.join(', ')} };`)() as IntlMessageFormatModule;
}

export interface CompiledMessage {
  key: string;
  /** The locale the string was found in; plural rules follow it, not the customer's locale. */
  locale: string;
  source: string;
  /** Every argument the message references, in any branch. */
  args: readonly string[];
  /** Set when the message has no arguments: formatted once here, never per email. */
  constant?: string;
  format(values: Readonly<Record<string, unknown>>): string;
}

export interface MessageContext {
  template: string;
  locale: string;
}

/**
 * Most catalog strings only choose branches (select) and insert text ({givenName}, {product}). For
 * those, intl-messageformat itself formats each branch combination once with marker values standing in
 * for the inserted strings, and the email only joins the pieces: the library's semantics, at the cost
 * of a string join. Messages with plural, number, date or time arguments are formatted in full.
 */
interface Plan {
  /** Arguments that choose a branch: part of the cache key. */
  selectArgs: string[];
  /** Arguments inserted as text: substituted into the cached pieces. */
  textArgs: string[];
  /** Select-key combination → pieces: literal strings, or the index of a text argument. */
  pieces: Map<string, (string | number)[]>;
}

const MAX_PLAN_COMBINATIONS = 256;
const MARKER = /\u0000(\d+)\u0000/;

/** Compiles one catalog string; a syntax error is an ICU_SYNTAX TemplateError naming the key. */
export function compileMessage(key: string, source: string, locale: string, ctx: MessageContext): CompiledMessage {
  const { IntlMessageFormat } = intl();
  let mf: IntlMessageFormat;
  try {
    // ignoreTag: catalog strings are plain text; "<" is a character (escaped later), not rich-text markup.
    mf = new IntlMessageFormat(source, locale, undefined, { ignoreTag: true });
  } catch (err) {
    throw new TemplateError('ICU_SYNTAX', ctx.template, ctx.locale, `catalog key '${key}' (${locale}): ${describeSyntaxError(err)}`);
  }
  const usage = argumentUsage(mf.getAst());
  const args = [...usage.keys()];
  const plan = makePlan(usage);

  const full = (values: Readonly<Record<string, unknown>>): string => {
    try {
      // The values are primitives by construction (strings, numbers, dates); the library's generic
      // signature cannot express that, hence the cast.
      const out = mf.format(values as Record<string, string | number | Date>);
      return typeof out === 'string' ? out : String(out);
    } catch (err) {
      throw new TemplateError('INVALID_VARIABLE', ctx.template, ctx.locale, `catalog key '${key}' (${locale}): ${(err as Error).message}`);
    }
  };

  const message: CompiledMessage = {
    key,
    locale,
    source,
    args,
    format(values) {
      for (const a of args) {
        const v = values[a];
        if (v === undefined || v === null) {
          throw new TemplateError('MISSING_VARIABLE', ctx.template, ctx.locale, `catalog key '${key}' (${locale}) needs argument {${a}}, which was not provided`);
        }
      }
      if (!plan) return full(values);
      const text = plan.textArgs;
      for (let i = 0; i < text.length; i++) if (typeof values[text[i]] !== 'string') return full(values);
      const select = plan.selectArgs;
      // The common shapes (no select, one select) key the cache without building a string.
      const cacheKey = select.length === 0 ? '' : select.length === 1 ? String(values[select[0]]) : select.map((a) => String(values[a])).join('\u0001');
      let pieces = plan.pieces.get(cacheKey);
      if (!pieces) {
        const marked: Record<string, unknown> = {};
        for (const a of select) marked[a] = values[a];
        text.forEach((a, i) => (marked[a] = `\u0000${i}\u0000`));
        pieces = full(marked)
          .split(MARKER)
          .map((part, i) => (i % 2 === 1 ? Number(part) : part))
          .filter((p) => p !== '');
        if (plan.pieces.size < MAX_PLAN_COMBINATIONS) plan.pieces.set(cacheKey, pieces);
      }
      if (pieces.length === 1) {
        const only = pieces[0];
        return typeof only === 'string' ? only : (values[text[only]] as string);
      }
      let out = '';
      for (let i = 0; i < pieces.length; i++) {
        const p = pieces[i];
        out += typeof p === 'string' ? p : (values[text[p]] as string);
      }
      return out;
    },
  };
  if (args.length === 0) message.constant = message.format({});
  return message;
}

function makePlan(usage: Map<string, Set<Usage>>): Plan | undefined {
  const selectArgs: string[] = [];
  const textArgs: string[] = [];
  for (const [name, kinds] of usage) {
    if (kinds.has('other')) return undefined;
    if (kinds.has('select')) selectArgs.push(name);
    else textArgs.push(name);
  }
  return { selectArgs, textArgs, pieces: new Map() };
}

function describeSyntaxError(err: unknown): string {
  const e = err as Error & { location?: { start?: { line: number; column: number } } };
  const where = e.location?.start ? ` at ${e.location.start.line}:${e.location.start.column}` : '';
  return `${e.message}${where}`;
}

// Element types of @formatjs/icu-messageformat-parser (a stable, documented enum).
const ElementType = { Argument: 1, Number: 2, Date: 3, Time: 4, Select: 5, Plural: 6, Tag: 8 } as const;

type Usage = 'text' | 'select' | 'other';

/** How each argument is used: inserted as text, choosing a select branch, or anything else. */
function argumentUsage(ast: readonly MessageFormatElement[]): Map<string, Set<Usage>> {
  const out = new Map<string, Set<Usage>>();
  const use = (name: string, kind: Usage) => {
    let kinds = out.get(name);
    if (!kinds) out.set(name, (kinds = new Set()));
    kinds.add(kind);
  };
  const walk = (els: readonly MessageFormatElement[]) => {
    for (const el of els) {
      const node = el as unknown as { type: number; value?: unknown; options?: Record<string, { value: MessageFormatElement[] }>; children?: MessageFormatElement[] };
      switch (node.type) {
        case ElementType.Argument:
          use(String(node.value), 'text');
          break;
        case ElementType.Number:
        case ElementType.Date:
        case ElementType.Time:
          use(String(node.value), 'other');
          break;
        case ElementType.Select:
          use(String(node.value), 'select');
          for (const opt of Object.values(node.options ?? {})) walk(opt.value);
          break;
        case ElementType.Plural:
          use(String(node.value), 'other');
          for (const opt of Object.values(node.options ?? {})) walk(opt.value);
          break;
        case ElementType.Tag:
          walk(node.children ?? []);
          break;
        default:
          break;
      }
    }
  };
  walk(ast);
  return out;
}

/** Names of every argument referenced anywhere in a message. */
export function messageArguments(ast: readonly MessageFormatElement[]): Set<string> {
  return new Set(argumentUsage(ast).keys());
}

/** Parses without formatting, for lint: returns the syntax error text or the argument names. */
export function checkMessage(source: string, locale: string): { error: string } | { args: Set<string> } {
  const { IntlMessageFormat } = intl();
  try {
    const mf = new IntlMessageFormat(source, locale, undefined, { ignoreTag: true });
    return { args: messageArguments(mf.getAst()) };
  } catch (err) {
    return { error: describeSyntaxError(err) };
  }
}
