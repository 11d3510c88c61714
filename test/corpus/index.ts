// The whole bad-input corpus, and its size per surface.
import { apiCases } from './cases/api';
import { cliCases } from './cases/cli';
import { sequenceCases } from './cases/sequence';
import { templateCases } from './cases/templates';
import type { CorpusCase, Surface } from './types';

export { apiCases, cliCases, sequenceCases, templateCases };

export const SURFACES: readonly Surface[] = ['api', 'sequence', 'template', 'catalog', 'cli'];

export const corpus: readonly CorpusCase[] = [...apiCases, ...sequenceCases, ...templateCases, ...cliCases];

/** How many cases each surface has, in SURFACES order. */
export function countsBySurface(cases: readonly CorpusCase[] = corpus): Record<Surface, number> {
  const counts = Object.fromEntries(SURFACES.map((s) => [s, 0])) as Record<Surface, number>;
  for (const c of cases) counts[c.surface] += 1;
  return counts;
}
