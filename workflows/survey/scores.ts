// Score scales and the "low score" rule per survey kind. Pure code: the survey workflow, the survey
// links' HTTP handler and the report all use it, so they agree on what a valid and a low score is.
import type { SurveyKind } from '../../domain/sequence/types';

/** Inclusive score ranges, lowest first (the same ranges the survey emails offer as links). */
export const SCORE_RANGES: Record<SurveyKind, readonly [number, number]> = { csat: [1, 5], nps: [0, 10], ces: [1, 7] };

/**
 * Scores that raise an escalation to the account owner:
 * - CSAT 1-2 ("very dissatisfied", "dissatisfied");
 * - NPS 0-6 (detractors);
 * - CES 1-3 (the customer disagrees that handling their issue was easy: 1 = strongly disagree,
 *   4 = neutral, 7 = strongly agree).
 */
export const LOW_SCORE_MAX: Record<SurveyKind, number> = { csat: 2, nps: 6, ces: 3 };

export function isSurveyKind(kind: unknown): kind is SurveyKind {
  return kind === 'csat' || kind === 'nps' || kind === 'ces';
}

export function isValidScore(kind: SurveyKind, score: unknown): score is number {
  const [lo, hi] = SCORE_RANGES[kind];
  return typeof score === 'number' && Number.isInteger(score) && score >= lo && score <= hi;
}

export function isLowScore(kind: SurveyKind, score: number): boolean {
  return isValidScore(kind, score) && score <= LOW_SCORE_MAX[kind];
}

/** The NPS bucket of a 0-10 score: promoters 9-10, passives 7-8, detractors 0-6. */
export function npsBucket(score: number): 'promoter' | 'passive' | 'detractor' {
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}
