// Reads a sequence file (YAML) into a SequenceDefinition, or reports every problem of the file with
// its line and column (see validate.ts for the rules and problems.ts for the message format).
// Pure: the caller reads the file and injects the template catalog.
import YAML, { LineCounter } from 'yaml';
import { positionsOf } from './positions';
import { formatProblem, sortProblems, toProblems, type SequenceProblem } from './problems';
import type { SequenceDefinition } from './types';
import { checkSequence, type ValidateOptions } from './validate';

export type { SequenceProblem } from './problems';
export { formatProblem } from './problems';
export type { TemplateCatalog, ValidateOptions } from './validate';

export class SequenceError extends Error {
  /** One line per problem, each naming the file (see formatProblem). */
  readonly problems: string[];
  /** The same problems as data (line, column, step, field). */
  readonly details: SequenceProblem[];

  constructor(readonly file: string, problems: ReadonlyArray<string | SequenceProblem>) {
    const details = problems.map((p): SequenceProblem => (typeof p === 'string' ? { file, message: p, path: [] } : p));
    const lines = details.map(formatProblem);
    super(lines.join('\n'));
    this.name = 'SequenceError';
    this.problems = lines;
    this.details = details;
  }
}

export interface LintResult {
  /** Present only when there are no problems. */
  definition?: SequenceDefinition;
  problems: SequenceProblem[];
}

/** Limits alias expansion: a hostile file must not expand into gigabytes ("billion laughs"). */
const MAX_ALIAS_COUNT = 100;

/** Every problem of a sequence file, sorted by position; never throws for bad input. */
export function lintSequence(text: string, file: string, opts: ValidateOptions = {}): LintResult {
  const garbled = invalidUtf8(text, file);
  if (garbled.length) return { problems: garbled };
  const lines = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    const { line, col } = lines.linePos(offset ?? 0);
    return { line, column: col };
  };
  // Syntax problems make the data unreliable (a half-read list shifts every later path), so schema
  // checks only run on a file that parsed cleanly.
  const syntax = [...doc.errors, ...doc.warnings].map((e): SequenceProblem => ({
    file,
    ...at(e.pos[0]),
    message: `YAML: ${e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '')}`,
    path: [],
  }));
  if (syntax.length) return { problems: sortProblems(syntax) };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    return { problems: [{ file, line: 1, column: 1, message: `YAML: ${(err as Error).message}`, path: [] }] };
  }
  if (data === null || data === undefined) {
    return { problems: [{ file, line: 1, column: 1, message: 'the file is empty: a sequence needs id, version, trigger and steps', path: [] }] };
  }
  const problems = sortProblems(toProblems(checkSequence(data, opts), data, file, positionsOf(doc, lines)));
  if (problems.length) return { problems };
  return { definition: normalize(data as SequenceDefinition), problems: [] };
}

/**
 * A file read as UTF-8 that was not UTF-8 has U+FFFD where the bad bytes were. YAML would accept it
 * and the marketer's text would be silently mangled, so each such line is a problem of its own.
 */
function invalidUtf8(text: string, file: string): SequenceProblem[] {
  if (!text.includes('\uFFFD')) return [];
  const problems: SequenceProblem[] = [];
  text.split('\n').forEach((line, i) => {
    const col = line.indexOf('\uFFFD');
    if (col >= 0 && problems.length < 10) {
      problems.push({ file, line: i + 1, column: col + 1, message: 'the file is not valid UTF-8 here (bytes replaced by U+FFFD): save it as UTF-8', path: [] });
    }
  });
  return problems;
}

/** Parses and validates a sequence file; throws a SequenceError listing every problem. */
export function parseSequence(text: string, file: string, opts: ValidateOptions = {}): SequenceDefinition {
  const { definition, problems } = lintSequence(text, file, opts);
  if (!definition) throw new SequenceError(file, problems);
  return definition;
}

/**
 * Checks a definition built in code by the same rules as a file. Returns the problems (empty when
 * valid); `file` names the definition in messages (default: `sequence "<id>"`).
 */
export function validateDefinition(def: unknown, opts: ValidateOptions & { file?: string } = {}): SequenceProblem[] {
  const id = (def as { id?: unknown } | null)?.id;
  const file = opts.file ?? (typeof id === 'string' ? `sequence "${id}"` : 'sequence');
  return toProblems(checkSequence(def, opts), def, file);
}

/** Fills in the defaults the language documents, so the engine never has to. */
function normalize(d: SequenceDefinition): SequenceDefinition {
  const { id, version, description, locales, trigger, entry, exit, goal, steps } = d;
  return {
    id,
    version,
    ...(description !== undefined ? { description } : {}),
    ...(locales !== undefined ? { locales } : {}),
    trigger,
    entry: entry ?? { mode: 'oncePerCustomer' },
    ...(exit !== undefined ? { exit } : {}),
    ...(goal !== undefined ? { goal } : {}),
    steps,
  };
}
