// From template folder to precompiled artifacts. Two stages, cached separately:
//  1. MJML stage (global cache, keyed by a hash of the expanded source with the locale's compile-time
//     tokens applied): MJML → HTML, placeholder-survival check, derived text template.
//  2. Catalog stage (per renderer, per template and locale chain): catalog strings resolved key by key
//     along the chain and compiled to ICU formatters; Handlebars templates compiled.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TemplateError, type TemplateErrorCode } from './errors';
import { compileMjmlSync } from './mjml';
import { handlebarsStatements, isBlockStatement, lostStatements } from './statements';
import { htmlToTextTemplate } from './text';
import { parseTemplate } from './handlebars';

/** Bumped whenever compilation changes its output, so cached artifacts are never reused across versions. */
const COMPILER_VERSION = '1';

const INCLUDE = /<mj-include\s+path\s*=\s*"([^"]+)"\s*\/>/g;
const TOKEN = /\[\[\s*([A-Za-z]+)\s*\]\]/g;
const MAX_INCLUDE_DEPTH = 8;

export interface Problem {
  code: TemplateErrorCode;
  detail: string;
}

/**
 * Reads `file` and replaces every `<mj-include path="…" />` with the included file's content, resolved
 * relative to the including file and confined to `root`. The expansion is ours rather than MJML's so the
 * content hash and the placeholder check see exactly what MJML compiles.
 */
export function expandIncludes(file: string, root: string, depth = 0): string {
  const src = fs.readFileSync(file, 'utf8');
  const garbled = src.indexOf('\uFFFD');
  if (garbled >= 0) {
    // Bytes that are not UTF-8 decode to U+FFFD, which would reach every email as "�".
    throw new Error(`${path.relative(path.resolve(root), file)} is not valid UTF-8 (line ${src.slice(0, garbled).split('\n').length}): save it as UTF-8`);
  }
  return src.replace(INCLUDE, (_m, rel: string) => {
    const target = path.resolve(path.dirname(file), rel);
    const rootReal = path.resolve(root);
    if (!target.startsWith(rootReal + path.sep)) throw new Error(`<mj-include path="${rel}"> leaves the templates folder`);
    if (depth >= MAX_INCLUDE_DEPTH) throw new Error(`<mj-include> nested more than ${MAX_INCLUDE_DEPTH} deep (a cycle?) at ${rel}`);
    if (!fs.existsSync(target)) throw new Error(`<mj-include path="${rel}">: ${path.relative(rootReal, target)} does not exist`);
    return expandIncludes(target, root, depth + 1);
  });
}

export interface LocaleLayout {
  lang: string;
  dir: 'ltr' | 'rtl';
}

/**
 * Compile-time tokens, replaced before MJML sees the source (they may sit in attribute names and
 * values, where Handlebars cannot go): [[lang]], [[dir]], [[start]] (left, or right in RTL) and
 * [[end]] (the opposite side). `padding-[[start]]="24px"` mirrors itself in Arabic.
 */
export function applyTokens(src: string, layout: LocaleLayout): string {
  const rtl = layout.dir === 'rtl';
  return src.replace(TOKEN, (whole, name: string) => {
    switch (name) {
      case 'lang':
        return layout.lang;
      case 'dir':
        return layout.dir;
      case 'start':
        return rtl ? 'right' : 'left';
      case 'end':
        return rtl ? 'left' : 'right';
      default:
        throw new Error(`unknown compile-time token ${whole} (known: [[lang]], [[dir]], [[start]], [[end]])`);
    }
  });
}

export interface Artifact {
  /** Handlebars source of the HTML part. */
  html: string;
  /** Handlebars source of the text part. */
  text: string;
}

const artifacts = new Map<string, Artifact>();

export function contentHash(source: string): string {
  return crypto.createHash('sha256').update(COMPILER_VERSION).update('\u0000').update(source).digest('hex');
}

/**
 * MJML stage for one template in one locale layout. Returns every problem found rather than the first,
 * so lint can report them all; `artifact` is set only when there are none. Successful results are
 * cached by content hash: the same source is compiled by MJML once per process.
 */
export function buildArtifact(source: string, layout: LocaleLayout): { artifact?: Artifact; problems: Problem[]; hash: string } {
  const hash = contentHash(source);
  const cached = artifacts.get(hash);
  if (cached) return { artifact: cached, problems: [], hash };

  const problems: Problem[] = [];
  try {
    parseTemplate(source);
  } catch (err) {
    return { problems: [{ code: 'TEMPLATE_SYNTAX', detail: `Handlebars syntax: ${oneLine((err as Error).message)}` }], hash };
  }
  const unbalanced = checkMjmlTags(source);
  if (unbalanced) return { problems: [{ code: 'MJML_INVALID', detail: unbalanced }], hash };
  // No partials are registered: `{{> name}}` would only fail halfway through some customer's email.
  const partials = handlebarsStatements(source).filter((s) => /^\{\{~?\s*>/.test(s));
  if (partials.length) {
    return { problems: partials.map((p) => ({ code: 'TEMPLATE_SYNTAX' as const, detail: `${p}: partials are not supported; use <mj-include path="..." /> for shared markup` })), hash };
  }
  let out;
  try {
    out = compileMjmlSync(source);
  } catch (err) {
    return { problems: [{ code: 'MJML_INVALID', detail: `MJML compiler failed: ${oneLine((err as Error).message)}` }], hash };
  }
  for (const e of out.errors) problems.push({ code: 'MJML_INVALID', detail: `MJML line ${e.line} <${e.tagName}>: ${oneLine(e.message)}` });

  for (const lost of lostStatements(source, out.html)) {
    problems.push({
      code: 'PLACEHOLDER_LOST',
      detail: `${lost} did not survive MJML compilation${isBlockStatement(lost) ? ' (MJML drops text between its tags: wrap block helpers that sit between MJML tags in <mj-raw>)' : ' (move it into an mj-text, mj-button or mj-raw)'}`,
    });
  }
  if (!out.html.includes(`<html lang="${layout.lang}" dir="${layout.dir}"`)) {
    problems.push({ code: 'MJML_INVALID', detail: `the root must be <mjml lang="[[lang]]" dir="[[dir]]"> so every email carries its language and direction` });
  }
  if (problems.length) return { problems, hash };

  // mj-body puts lang/dir on <html> and a wrapper div; clients that drop <html> attributes still keep <body>'s.
  let html = out.html.replace(/<body\b/, `<body lang="${layout.lang}" dir="${layout.dir}"`);
  // MJML hard-codes text-align:left on column wrappers; mirror it so nothing hugs the wrong side in RTL.
  if (layout.dir === 'rtl') html = html.replace(/text-align:left;direction:rtl/g, 'text-align:right;direction:rtl');
  try {
    parseTemplate(html);
  } catch (err) {
    return { problems: [{ code: 'TEMPLATE_SYNTAX', detail: `compiled HTML is not a valid Handlebars template: ${oneLine((err as Error).message)}` }], hash };
  }
  const text = htmlToTextTemplate(html);
  const textLost = lostStatements(handlebarsStatements(html).filter(isBlockStatement).join(''), text);
  if (textLost.length) {
    return { problems: textLost.map((s) => ({ code: 'PLACEHOLDER_LOST' as const, detail: `${s} did not survive the HTML-to-text conversion (keep block helpers out of HTML attributes and <head>)` })), hash };
  }
  try {
    parseTemplate(text);
  } catch (err) {
    return { problems: [{ code: 'TEMPLATE_SYNTAX', detail: `derived text template does not parse: ${oneLine((err as Error).message)}` }], hash };
  }
  const artifact = { html, text };
  artifacts.set(hash, artifact);
  return { artifact, problems: [], hash };
}

// MJML components whose content is raw HTML up to their own closing tag: an unclosed one swallows the
// MJML that follows, which then reaches the email as literal <mj-…> tags without any error from MJML.
const RAW_CONTENT = new Set(['mj-text', 'mj-button', 'mj-raw', 'mj-table', 'mj-navbar-link', 'mj-accordion-text', 'mj-accordion-title', 'mj-social-element', 'mj-style', 'mj-title', 'mj-preview']);
const MJ_TAG = /<(\/?)(mj-[a-z0-9-]+)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(\/?)>/g;

/**
 * The first unclosed or mismatched MJML tag of `source` ("MJML line 7: <mj-text> is not closed before
 * <mj-text> on line 8: add </mj-text>"), or undefined when every tag is closed. MJML itself recovers
 * silently from most of these, producing a different email than the one written.
 */
export function checkMjmlTags(source: string): string | undefined {
  // Comments are blanked (newlines kept) so their tags are ignored and line numbers stay right.
  const src = source.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ' '));
  const lineAt = (index: number) => src.slice(0, index).split('\n').length;
  const stack: { tag: string; line: number }[] = [];
  for (const m of src.matchAll(MJ_TAG)) {
    const [, close, tag, , selfClosing] = m;
    const line = lineAt(m.index);
    const top = stack[stack.length - 1];
    if (top && RAW_CONTENT.has(top.tag)) {
      if (close && tag === top.tag) stack.pop();
      else return `MJML line ${top.line}: <${top.tag}> is not closed before ${close ? '</' : '<'}${tag}> on line ${line}: add </${top.tag}>`;
      continue;
    }
    if (selfClosing) continue;
    if (!close) stack.push({ tag: tag!, line });
    else if (!top) return `MJML line ${line}: </${tag}> closes a tag that was never opened`;
    else if (top.tag !== tag) return `MJML line ${line}: </${tag}> does not match <${top.tag}> opened on line ${top.line}: close <${top.tag}> first`;
    else stack.pop();
  }
  const open = stack[stack.length - 1];
  return open ? `MJML line ${open.line}: <${open.tag}> is never closed: add </${open.tag}>` : undefined;
}

/** Throwing form of buildArtifact for the render path. */
export function artifactOrThrow(source: string, layout: LocaleLayout, template: string, locale: string): Artifact {
  const { artifact, problems } = buildArtifact(source, layout);
  if (artifact) return artifact;
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s); run \`outreach template lint\`)` : '';
  throw new TemplateError(first.code, template, locale, first.detail + more);
}

export function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** For tests: forget compiled artifacts so the next render recompiles. */
export function clearArtifactCache(): void {
  artifacts.clear();
}
