// docs/bad-input.md, generated from the corpus so the table never drifts from the tests.
// Regenerate with: UPDATE_BAD_INPUT_DOC=1 npm test -- test/corpus/corpus.test.ts
import { corpus, countsBySurface, SURFACES } from './index';
import type { CorpusCase, Surface } from './types';

const TITLES: Record<Surface, string> = {
  api: 'HTTP API',
  sequence: 'Sequence files',
  template: 'Templates (MJML, Handlebars, render input)',
  catalog: 'Message catalogs',
  cli: 'Command line',
};

const RUNNERS: Record<Surface, string> = {
  api: '`test/corpus/api.test.ts`: each request against one real stack; asserts the status, the field and message in `errors[]`, no stack trace, unchanged row counts in every table (a batch may store only its good items), and afterwards `/health`, a valid write and a clean `Object.prototype`.',
  sequence: '`test/corpus/sequence.test.ts`: `lintSequence`/`parseSequence` as the registry and `outreach sequence lint` use them; asserts no definition, a problem at the line (and field) with the message, every problem as `file:line:column`, no echo longer than 600 characters, a `SequenceError` (never another exception).',
  template: '`test/corpus/templates.test.ts`: `template lint` over `test/corpus/fixtures/templates/` (the `clean` control stays clean) and a render of the case\'s sample input; asserts the lint problem (template, locale, code, message) and a one-line, non-retryable `TemplateError` with the code, or an email in which the hostile value is harmless.',
  catalog: 'Same runner as templates; the broken file is a catalog under `locales/`.',
  cli: '`test/corpus/cli.test.ts`: `main(argv)` with stdout/stderr captured (and `node bin/outreach.js` where marked *bin*); asserts the exit code (2 for usage errors, with the usage line), the message naming the flag or file, no stack trace, no database file created and nothing written to the scratch folder.',
};

const code = (s: string) => `\`${s.replace(/\|/g, '\\|').replace(/`/g, "'")}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
const pattern = (r: RegExp | undefined) => (r ? code(r.source) : '');

function row(c: CorpusCase): string {
  switch (c.surface) {
    case 'api': {
      const e = c.expect;
      const where = e.field ? `\`${e.field}\`` : e.items ? e.items.map((i) => `#${i.index} ${i.status}${i.field ? ` \`${i.field}\`` : ''}`).join(', ') : '`error`';
      const message = e.items ? e.items.filter((i) => i.message).map((i) => pattern(i.message)).join(' ') : pattern(e.message);
      return `| ${c.id}${c.only ? ` (${c.only} only)` : ''} | ${cell(c.title)} | \`${c.input.method} ${c.input.url.length > 40 ? c.input.url.slice(0, 37) + '...' : c.input.url}\` → ${e.status}${e.writes ? ` (stores ${e.writes.events ?? 0} event)` : ''} | ${where} | ${message} |`;
    }
    case 'sequence':
      return `| ${c.id} | ${cell(c.title)} | refused${c.input.templates ? ' (with the template catalog)' : ''} | line ${c.expect.line}${c.expect.field ? `, \`${c.expect.field}\`` : ''} | ${pattern(c.expect.message)} |`;
    case 'template':
    case 'catalog': {
      const { lint, render } = c.expect;
      const outcome = 'error' in render ? `render: ${render.error}` : 'safe' in render ? 'render: harmless' : 'render: falls back';
      const where = lint ? `lint ${lint.code} \`${c.input.folder}/${lint.locale}\`` : `\`${c.input.render?.template ?? c.input.folder}\``;
      const message = lint ? pattern(lint.message) : 'error' in render ? pattern(render.message) : 'safe' in render ? render.safe.map((s) => `${s.part} ${s.includes !== undefined ? 'has' : 'lacks'} ${code(String(s.includes ?? (s.excludes instanceof RegExp ? s.excludes.source : s.excludes)))}`).join('; ') : '';
      return `| ${c.id} | ${cell(c.title)} | ${outcome} | ${where} | ${message} |`;
    }
    case 'cli':
      return `| ${c.id} | ${cell(c.title)} | exit ${c.expect.exitCode}${c.input.spawn ? ' (bin)' : ''} | ${c.expect.stderr ? 'stderr' : 'stdout'} | ${pattern(c.expect.stderr ?? c.expect.stdout)} |`;
  }
}

const HEADERS: Record<Surface, string> = {
  api: '| id | hostile input | request → status | field | message |',
  sequence: '| id | hostile input | outcome | points at | message |',
  template: '| id | hostile input | outcome | reported as | message |',
  catalog: '| id | hostile input | outcome | reported as | message |',
  cli: '| id | hostile input | outcome | stream | message |',
};

/** Behaviour the corpus found wanting in code outside its reach; not encoded as cases. */
const GAPS: string[] = [
];

export function renderDoc(): string {
  const counts = countsBySurface();
  const out: string[] = [
    '# Bad-input corpus',
    '',
    '<!-- Generated from test/corpus/cases/*.ts by test/corpus/doc.ts: do not edit by hand.',
    '     Regenerate with UPDATE_BAD_INPUT_DOC=1 npm test -- test/corpus/corpus.test.ts -->',
    '',
    `Every way we know to feed the engine bad or hostile input, with the answer it must give. ${corpus.length} cases, run as tests by \`npm test -- test/corpus\`:`,
    '',
    '| surface | cases |',
    '|---|---|',
    ...SURFACES.map((s) => `| ${TITLES[s]} | ${counts[s]} |`),
    `| **total** | **${corpus.length}** |`,
    '',
    'Messages are regular expressions matched against the real output. Basic invalid values for the API',
    '(bad email, unknown country or region, offset instead of a zone, 401/403, ...) are covered by',
    '`test/api/auth-and-input.test.ts` and not repeated here.',
  ];
  for (const s of SURFACES) {
    out.push('', `## ${TITLES[s]} (${counts[s]})`, '', RUNNERS[s], '', HEADERS[s], '|---|---|---|---|---|');
    for (const c of corpus.filter((x) => x.surface === s)) out.push(row(c));
  }
  out.push('', '## Gaps', '', ...(GAPS.length ? ['Found by the corpus in code it does not own; open until fixed there:', '', ...GAPS.map((g) => `- ${g}`)] : ['None known: every gap the corpus found has been fixed and is a case above.']));
  return out.join('\n') + '\n';
}
