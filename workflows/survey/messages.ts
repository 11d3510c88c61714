// The survey workflow's contract, shared by the sequence interpreter (which starts it as a child for
// a `survey` step), event-triggered surveys, and the API (which signals answers from survey links).
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SurveyKind, WaitDuration } from '../../domain/sequence/types';

export interface SurveyInput {
  /** Identifies this survey instance; survey links carry it. Equal to the workflow id. */
  surveyId: string;
  customerId: string;
  kind: SurveyKind;
  template: string;
  reminder?: { afterBusinessDays: number; template: string };
  /** How long answers count, from the send. */
  window: WaitDuration;
  /** Where the survey came from, for reporting (no personal data). */
  sequenceId?: string;
  stepId?: string;
  /**
   * The enrollment whose survey step started it: told the outcome as soon as there is one (the first
   * answer, the window closing unanswered, a skip), by signal, so the step ends when the customer answers.
   */
  parentWorkflowId?: string;
}

export interface SurveyResult {
  status: 'answered' | 'unanswered' | 'skipped';
  score?: number;
  comment?: string;
  /** Why it was skipped, e.g. "fatigue" (another survey within the fatigue period). */
  reason?: string;
  /** When the (last) answer arrived, ISO-8601. */
  answeredAt?: string;
}

/** A survey answer delivered by the API after a one-click link (or a later change within the window). */
export interface SurveyAnswer {
  surveyId: string;
  score: number;
  /** Optional free text from the thanks page. Absent keeps an earlier comment; a later one replaces it. */
  comment?: string;
}

/** What the survey workflow reports while it runs (query `surveyState`). */
export interface SurveyState extends SurveyResult {
  /** pending: waiting for the send slot; open: answers count; closed: the window ended. */
  phase?: 'pending' | 'open' | 'closed';
  sentAt?: string;
  closesAt?: string;
  remindedAt?: string;
  /** Alerts raised to the account owner for low scores (first one plus follow-ups). */
  alerts?: number;
}

export const surveyAnswerSignal = defineSignal<[SurveyAnswer]>('surveyAnswer');
/** The customer's calendar changed (forwarded by the enrollment): a send slot being waited for is computed again. */
export const surveyProfileSignal = defineSignal<[{ version: number }]>('surveyProfileChanged');
export const surveyStateQuery = defineQuery<SurveyState>('surveyState');

/** The survey workflow id for a survey step of a sequence enrollment. */
export function surveyWorkflowId(parentWorkflowId: string, stepId: string, iteration: number): string {
  return `${parentWorkflowId}-survey-${stepId}-${iteration}`;
}

/** Longest comment kept (characters); the thanks page's form says the same. */
export const MAX_COMMENT_LENGTH = 2000;
