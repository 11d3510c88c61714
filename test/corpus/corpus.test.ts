// The corpus itself: big enough, well-formed, and documented (docs/bad-input.md matches it).
import fs from 'node:fs';
import path from 'node:path';
import { corpus, countsBySurface, SURFACES } from './index';
import { renderDoc } from './doc';

const DOC = path.resolve(__dirname, '../../docs/bad-input.md');

describe('bad-input corpus', () => {
  it('has at least 60 cases, on every surface', () => {
    const counts = countsBySurface();
    // The per-surface count, for the log of every run.
    process.stdout.write(`bad-input corpus: ${SURFACES.map((s) => `${s} ${counts[s]}`).join(', ')}; total ${corpus.length}\n`);
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    for (const s of SURFACES) expect(counts[s]).toBeGreaterThanOrEqual(5);
  });

  it('has unique ids, prefixed by surface, each with a title and an expected message', () => {
    const ids = corpus.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const prefix = { api: 'api-', sequence: 'seq-', template: 'tpl-', catalog: 'cat-', cli: 'cli-' } as const;
    for (const c of corpus) {
      expect(c.id.startsWith(prefix[c.surface])).toBe(true);
      expect(c.id).toMatch(/^[a-z0-9-]+$/);
      expect(c.title.length).toBeGreaterThan(5);
    }
  });

  it('is listed in docs/bad-input.md', () => {
    const doc = renderDoc();
    if (process.env.UPDATE_BAD_INPUT_DOC) fs.writeFileSync(DOC, doc);
    const current = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
    if (current !== doc) throw new Error('docs/bad-input.md is out of date: run UPDATE_BAD_INPUT_DOC=1 npm test -- test/corpus/corpus.test.ts');
  });
});
