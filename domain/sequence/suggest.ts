// "Did you mean ...?" for typos in field names, step ids, templates and step types. A marketer who
// wrote `onboarding-tip` wants to see `onboarding-tips-1`, not a list of everything that exists.

/** Levenshtein distance, with an early exit once every path is beyond `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      best = Math.min(best, cur[j]!);
    }
    if (best > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The closest candidate, if it is close enough to be a plausible typo: within a third of the
 * word's length (at least 2 edits), or a candidate that starts with what was typed (a truncated
 * name such as `onboarding-tip`). Case differences count as near-misses.
 */
export function closest(typed: string, candidates: Iterable<string>): string | undefined {
  const lower = typed.toLowerCase();
  const limit = Math.max(2, Math.floor(typed.length / 3));
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === typed) continue;
    let score = editDistance(lower, c.toLowerCase(), limit);
    if (score > limit && lower.length >= 4 && c.toLowerCase().startsWith(lower)) score = limit;
    if (score <= limit && score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** ` (did you mean "x"?)`, or nothing. */
export function didYouMean(typed: string, candidates: Iterable<string>): string {
  const c = closest(typed, candidates);
  return c === undefined ? '' : ` (did you mean "${c}"?)`;
}
