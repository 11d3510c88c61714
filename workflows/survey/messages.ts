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
}

export interface SurveyResult {
  status: 'answered' | 'unanswered' | 'skipped';
  score?: number;
  comment?: string;
  /** Why it was skipped, e.g. "fatigue" (another survey within the fatigue period). */
  reason?: string;
}

/** A survey answer delivered by the API after a one-click link (or a later change within the window). */
export interface SurveyAnswer {
  surveyId: string;
  score: number;
  comment?: string;
}

export const surveyAnswerSignal = defineSignal<[SurveyAnswer]>('surveyAnswer');
export const surveyStateQuery = defineQuery<SurveyResult & { sentAt?: string; closesAt?: string }>('surveyState');

/** The survey workflow id for a survey step of a sequence enrollment. */
export function surveyWorkflowId(parentWorkflowId: string, stepId: string, iteration: number): string {
  return `${parentWorkflowId}-survey-${stepId}-${iteration}`;
}
