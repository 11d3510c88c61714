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

/** Rules the cases above draw the line of, and what happens on the accepted side of it. */
const NOTES: Partial<Record<Surface, string[]>> = {
  api: [
    '**Text.** Every string and key of a JSON body, and every id in a URL, must be Unicode text: a lone',
    'surrogate (`\\ud800` without its pair) is refused by name, in a URL too (`%ED%A0%80`, or the U+FFFD an',
    'encoder puts in its place). Escaped pairs (`\\ud83d\\ude00`) are fine. The profile fields printed into',
    'emails as text, `givenName`, `familyName` and `title`, also refuse control characters, `<` `>` and the',
    'bidirectional embedding, override and isolate controls U+202A-U+202E and U+2066-U+2069 (the marks',
    'U+200E/U+200F stay allowed, as does right-to-left text itself). Event properties and attributes are data,',
    'not names: they are stored as sent, bidi controls included, and a template that prints one prints it as is.',
    '',
    '**Numbers** are read as IEEE 754 doubles, as JavaScript does. One beyond ±1.7976931348623157e308',
    '(`1e999`, `-1e999`, 400 digits) is refused, naming its path. Numbers that fit are rounded to the nearest',
    'double: integers beyond 2^53 lose their last digits (`9007199254740993` is stored as `9007199254740992`,',
    '`12345678901234567890123` as `1.2345678901234568e22`), decimals keep about 17 significant digits, values',
    'below 5e-324 (`1e-400`) become `0`, and `-0` is stored as `0`. Send ids, money and anything that must stay',
    'exact as strings (`test/api/accepted-input.test.ts`).',
    '',
    '**Email addresses** (`client/api/validation.ts`): internationalized ones (`user@bücher.example`,',
    '`josé@bücher.example`, RFC 6531/6532) and quoted local parts (`"john doe"@example.com`) are accepted and',
    'stored as written. An ASCII local part goes out with the domain in punycode (`user@xn--bcher-kva.example`),',
    'which any SMTP server takes; a non-ASCII local part needs the server at `SMTP_URL` to offer SMTPUTF8',
    '(`test/delivery/international-addresses.test.ts`): without it nodemailer still sends the UTF-8 address, a',
    'strict server refuses it with a 5xx and the step fails like any hard bounce. Some servers refuse quoted',
    'local parts holding a space (Gmail; smtp-server, which the mail catcher runs on, answers 501): that too',
    'is a failed step. Refused by the API, with the reason: address literals',
    '(`user@[192.0.2.1]`), empty quoted local parts, `<` or `>` inside quotes (nodemailer rewrites them),',
    'control and bidi characters, domains without a dot or with empty, hyphen-edged or undecodable labels,',
    'and lengths over 64 bytes (local part), 253 (domain, ASCII form) or 254 (address).',
    '',
    '**Path parameters** longer than 200 characters get a 400 naming them (`id`), also beyond the router\'s',
    'limit of 8192 (Fastify\'s own answer would be a 414 echoing the URL). A URL over Node\'s header limit',
    '(16 KiB) gets 431 from Node, without the URL.',
  ],
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
    if (NOTES[s]) out.push('', ...NOTES[s]!);
  }
  out.push('', '## Gaps', '', ...(GAPS.length ? ['Found by the corpus in code it does not own; open until fixed there:', '', ...GAPS.map((g) => `- ${g}`)] : ['None known: every gap the corpus found has been fixed and is a case above.']));
  return out.join('\n') + '\n';
}
