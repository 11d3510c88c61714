// A sequence problem as people read it: which file, where in it, which step and field, and what to
// do. One line each, in the compiler style editors and CI annotate:
//   sequences/onboarding.yaml:14:5: step "tips-1": field "template": unknown template "onboarding-tip" (did you mean "onboarding-tips-1"?)
import type { Finding } from './validate';
import type { Path, PositionLookup } from './positions';

export interface SequenceProblem {
  file: string;
  /** 1-based; absent for definitions built in code (there is no text to point into). */
  line?: number;
  column?: number;
  /** The step's id, or `#<n>` (1-based) when the step has no usable id. */
  step?: string;
  /** The field inside the step (or inside the sequence for top-level fields), e.g. `duration.days`, `cases[1].next`. */
  field?: string;
  message: string;
  /** The raw path into the document, for tools. */
  path: Path;
}

/** `cases[1].when.all[2].op`: list items are numbered from 1, as people count. */
export function formatField(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg + 1}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

export function formatProblem(p: SequenceProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  const step = p.step === undefined ? '' : p.step.startsWith('#') ? ` step ${p.step}:` : ` step "${p.step}":`;
  const field = p.field ? ` field "${p.field}":` : '';
  return `${where}:${step}${field} ${p.message}`;
}

function stepName(data: unknown, index: number): string {
  const steps = (data as { steps?: unknown } | null)?.steps;
  const step = Array.isArray(steps) ? (steps[index] as { id?: unknown } | undefined) : undefined;
  return typeof step?.id === 'string' && step.id.length > 0 ? step.id : `#${index + 1}`;
}

/** Attaches file, step, field and (when the text is known) line and column to raw findings. */
export function toProblems(findings: readonly Finding[], data: unknown, file: string, positions?: PositionLookup): SequenceProblem[] {
  return findings.map((f) => {
    const inStep = f.path[0] === 'steps' && typeof f.path[1] === 'number';
    const rest = inStep ? f.path.slice(2) : f.path;
    const pos = positions?.(f.path, f.anchor);
    return {
      file,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
      ...(inStep ? { step: stepName(data, f.path[1] as number) } : {}),
      ...(rest.length ? { field: formatField(rest) } : {}),
      message: f.message,
      path: f.path,
    };
  });
}

/** By position; problems without one keep their order after the positioned ones. */
export function sortProblems(problems: SequenceProblem[]): SequenceProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || (a.p.column ?? 0) - (b.p.column ?? 0) || a.i - b.i)
    .map(({ p }) => p);
}
