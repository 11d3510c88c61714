// The placeholder-survival rule. MJML parses its input as XML and keeps only text that sits inside
// "ending tags" (mj-text, mj-button, mj-raw, …); anything between structural tags, such as a bare
// `{{#each}}` between two <mj-section>s, silently disappears. A template that lost a statement would
// render without its loop or condition, or not parse at all, so the compiler refuses it.

const COMMENT = /\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}/g;
const STATEMENT = /\{\{\{[\s\S]*?\}\}\}|\{\{[\s\S]*?\}\}/g;

/** Every Handlebars statement (mustache, triple-stash, block open/close, else, partial) in order, whitespace-normalized. */
export function handlebarsStatements(src: string): string[] {
  const stripped = src.replace(COMMENT, '');
  const out: string[] = [];
  for (const m of stripped.matchAll(STATEMENT)) {
    // `\{{x}}` is Handlebars' escape for a literal "{{x}}", not a statement.
    if (m.index > 0 && stripped[m.index - 1] === '\\') continue;
    out.push(m[0].replace(/\s+/g, ' '));
  }
  return out;
}

/** Statements of `source` missing from `compiled`, counting duplicates (two `{{/if}}` need two). */
export function lostStatements(source: string, compiled: string): string[] {
  const have = new Map<string, number>();
  for (const s of handlebarsStatements(compiled)) have.set(s, (have.get(s) ?? 0) + 1);
  const lost: string[] = [];
  for (const s of handlebarsStatements(source)) {
    const n = have.get(s) ?? 0;
    if (n > 0) have.set(s, n - 1);
    else lost.push(s);
  }
  return lost;
}

/** True for statements that open, continue or close a block: losing one of these breaks the template's structure. */
export function isBlockStatement(statement: string): boolean {
  return /^\{\{~?\s*(#|\/|\^|else\b)/.test(statement);
}

/** Triple-stash or `{{&…}}` statements: output that bypasses HTML escaping. */
export function unescapedStatements(src: string): string[] {
  return handlebarsStatements(src).filter((s) => s.startsWith('{{{') || /^\{\{~?\s*&/.test(s));
}
