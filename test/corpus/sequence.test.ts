// Runs the sequence part of the bad-input corpus through the parser the registry and the CLI use.
// Every case: refused (no definition), a problem at the expected line (and field) with a message
// saying what to fix, every problem positioned in the file, no exception, no giant echo.
import fs from 'node:fs';
import path from 'node:path';
import { lintSequence, parseSequence, formatProblem, SequenceError, type TemplateCatalog } from '../../domain/sequence/parse';
import { templateCatalog } from '../../domain/sequence/validate';
import { TemplateRenderer, stopMjmlCompiler } from '../../activities/render';
import { sequenceCases } from './index';

const DIR = path.join(__dirname, 'fixtures', 'sequences');

describe('bad-input corpus: sequence files', () => {
  let catalog: TemplateCatalog;
  beforeAll(() => {
    catalog = templateCatalog(new TemplateRenderer());
  });
  afterAll(() => stopMjmlCompiler());

  it.each(sequenceCases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const file = c.input.file ?? `${c.id}.yaml`;
    // Files are read the way the CLI and the registry read them: as UTF-8 text.
    const text = c.input.file !== undefined ? fs.readFileSync(path.join(DIR, c.input.file), 'utf8') : c.input.text!;
    const opts = c.input.templates ? { templates: catalog } : {};
    // Hostile input (alias bombs, deep nesting) costs no more than a real file: measured in this
    // process's CPU time, which other work on a busy machine does not inflate as it does wall time.
    const cpu = process.cpuUsage();
    const { definition, problems } = lintSequence(text, file, opts);
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1000).toBeLessThan(2_000);
    expect(definition).toBeUndefined();
    const lines = problems.map(formatProblem);
    const match = problems.find((p) => p.line === c.expect.line && (c.expect.field === undefined || p.field === c.expect.field) && c.expect.message.test(p.message));
    if (!match) throw new Error(`no problem at line ${c.expect.line}${c.expect.field ? ` field "${c.expect.field}"` : ''} matching ${c.expect.message}; got:\n${lines.join('\n')}`);
    for (const l of lines) {
      expect(l.startsWith(`${file}:`)).toBe(true);
      expect(l).toMatch(/^[^:]+:\d+:\d+: /); // file:line:column
      expect(l.length).toBeLessThan(600); // long values are shortened, not echoed
    }
    expect(() => parseSequence(text, file, opts)).toThrow(SequenceError);
  });
});
