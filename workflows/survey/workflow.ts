// One survey (CSAT, NPS, CES) for one customer:
//   1. fatigue: claim the customer's survey gate (one survey per SURVEY_FATIGUE_DAYS), else skip;
//   2. send the survey email in the customer's business hours and create its SurveyResponse row;
//   3. remind once after N business days if unanswered;
//   4. accept answers until the window closes: a later answer within the window replaces the
//      earlier one (score; a comment replaces an earlier comment); answers after the window are
//      ignored (the links expire at the same instant, and the API reports the survey as closed);
//   5. store every accepted answer, and escalate low scores to the account owner (email + webhook):
//      the first alert waits up to ALERT_COMMENT_GRACE_MINUTES for the comment offered on the
//      thanks page, so one alert usually carries both; a comment or a different low score after
//      that alert sends a follow-up alert (at most MAX_FOLLOW_UPS), threaded under the first.
// Returns the outcome, on which a parent sequence can branch (`survey.score`). A survey started by a
// sequence's survey step (input.parentWorkflowId) also tells that enrollment the first answer at once
// (a signal), so the step ends when the customer answers rather than when the window closes.
// A change of the customer's calendar (forwarded by the enrollment) moves a send slot being waited
// for, and the reminder's due time.
//
// Surveys started before 'survey-v2' run the frozen ./legacy.ts.
import { ActivityFailure, condition, getExternalWorkflowHandle, log, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { calendarMillis } from '../../domain/sequence/durations';
import { MAX_COMMENT_LENGTH, surveyAnswerSignal, surveyProfileSignal, surveyStateQuery, type SurveyInput, type SurveyResult, type SurveyState } from './messages';
import { surveyOutcomeSignal } from '../sequence/messages';
import type { SurveyOutcome } from '../../domain/sequence/machine';
import { legacySurveyWorkflow } from './legacy';
import { isLowScore, isValidScore } from './scores';
import { acts, hooks } from '../shared/activities';

/** Follow-up alerts after the first one, per survey. */
export const MAX_FOLLOW_UPS = 3;

interface Answer {
  score: number;
  comment?: string;
  answeredAt: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Sleeps until `at` (epoch ms) or until `until` holds; true when `until` ended it. */
async function sleepUntil(at: number, until: () => boolean = () => false): Promise<boolean> {
  const remaining = at - Date.now();
  if (remaining <= 0) return until();
  return condition(until, remaining);
}

export async function surveyWorkflow(input: SurveyInput): Promise<SurveyResult> {
  if (!patched('survey-v2')) return legacySurveyWorkflow(input);
  return runSurvey(input, async (outcome) => {
    // The enrollment hears the first answer at once, so its step ends when the customer answers; the
    // final outcome (skipped, unanswered, the last answer) it reads from this workflow's result.
    if (!input.parentWorkflowId) return;
    try {
      await getExternalWorkflowHandle(input.parentWorkflowId).signal(surveyOutcomeSignal, { surveyId: input.surveyId, outcome });
    } catch {
      // The enrollment has ended: nobody waits for this answer.
    }
  });
}

async function runSurvey(input: SurveyInput, report: (o: SurveyOutcome) => Promise<void>): Promise<SurveyResult> {
  const { workflowId } = workflowInfo();
  const { surveyId, customerId, kind } = input;
  const sequenceId = input.sequenceId ?? 'survey';
  const meta = { surveyId, customerId, kind, sequenceId, stepId: input.stepId, template: input.template };

  let answer: Answer | undefined;
  let version = 0;
  let phase: SurveyState['phase'] = 'pending';
  let sentAt: string | undefined;
  let closesAt: string | undefined;
  let remindedAt: string | undefined;
  let alerts = 0;
  const isClosed = () => phase === 'closed';

  setHandler(surveyAnswerSignal, (a) => {
    // Answers come from the links of the survey email: none count before it is sent, or after the window.
    if (a.surveyId !== surveyId || isClosed() || phase === 'pending') return;
    if (!isValidScore(kind, a.score)) return; // the API checks too; a bad signal changes nothing
    if (closesAt && Date.now() > Date.parse(closesAt)) return;
    const text = typeof a.comment === 'string' ? a.comment.trim().slice(0, MAX_COMMENT_LENGTH) : '';
    answer = { score: a.score, comment: text || answer?.comment, answeredAt: new Date().toISOString() };
    version += 1;
  });
  let profileVersion = 0;
  setHandler(surveyProfileSignal, ({ version }) => {
    if (version > profileVersion) profileVersion = version;
  });
  setHandler(surveyStateQuery, (): SurveyState => ({
    status: answer ? 'answered' : 'unanswered',
    score: answer?.score, comment: answer?.comment, answeredAt: answer?.answeredAt,
    phase, sentAt, closesAt, remindedAt, alerts,
  }));

  // 1. Fatigue.
  const claim = await acts.claimSurvey({ surveyId, customerId, at: new Date().toISOString() });
  if (!claim.allowed) return { status: 'skipped', reason: 'fatigue' };
  const graceMs = claim.alertCommentGraceMinutes * 60_000;

  // 2. The survey email, in business hours.
  let after = Date.now();
  let first;
  for (;;) {
    const version = profileVersion;
    const slot = await acts.nextSendTime({ customerId, after: iso(Math.max(after, Date.now())) });
    // The customer moved while the slot was computed or awaited: compute it again in the new calendar.
    if (profileVersion !== version || (await sleepUntil(Date.parse(slot.utc), () => profileVersion !== version))) continue;
    closesAt = iso(Date.now() + calendarMillis(input.window));
    first = await acts.sendStepEmail({
      workflowId, sequenceId, stepId: 'survey', iteration: 0, customerId, template: input.template, category: 'survey',
      survey: { surveyId, kind, closesAt },
    });
    if (first.status === 'deferred' && first.retryAt) {
      after = Date.parse(first.retryAt);
      continue;
    }
    break;
  }
  // An ambiguous send may well have arrived: keep the window open for it (nothing is resent).
  if (first.status !== 'sent' && first.status !== 'already-sent' && first.status !== 'ambiguous') {
    phase = 'closed';
    return { status: 'skipped', reason: first.status };
  }
  // The enrollment hears the first answer at once (the step ends when the customer answers).
  const answered = condition(() => !!answer || isClosed()).then(() => (answer ? report({ status: 'answered', score: answer.score, ...(answer.comment ? { comment: answer.comment } : {}) }) : undefined));
  // Awaited at the end; until then a cancellation (the enrollment exited) rejects it unobserved,
  // which would fail every workflow task: mark it handled, the main path sees the cancellation.
  answered.catch(() => undefined);
  sentAt = new Date().toISOString();
  phase = 'open';
  const closesMs = Date.parse(closesAt);
  await acts.recordSurveySent({ ...meta, sentAt, closesAt });

  // 5. Storing answers and escalating low scores run beside the reminder and the window.
  const background = Promise.all([storeAnswers(), escalate()]);
  background.catch(() => undefined);

  // 3. One reminder, if unanswered by then and the window is still open.
  if (input.reminder) {
    let dueMs: number;
    for (;;) {
      const version = profileVersion;
      const due = await acts.addBusinessDays({ customerId, after: sentAt, businessDays: input.reminder.afterBusinessDays });
      dueMs = Date.parse(due.utc);
      if (profileVersion !== version) continue;
      if (dueMs >= closesMs || !!answer) break;
      // Wakes early for an answer (no reminder then) or a move (the due time is computed again).
      if (await sleepUntil(dueMs, () => !!answer || profileVersion !== version)) {
        if (answer) break;
        continue;
      }
      break;
    }
    if (dueMs < closesMs && !answer) {
      const r = await acts.sendStepEmail({
        workflowId, sequenceId, stepId: 'reminder', iteration: 0, customerId, template: input.reminder.template, category: 'survey',
        survey: { surveyId, kind, closesAt },
      });
      if (r.status === 'sent' || r.status === 'already-sent') {
        remindedAt = new Date().toISOString();
        await acts.recordSurveyReminder({ surveyId, remindedAt });
      }
    }
  }

  // 4. The answer window.
  await sleepUntil(closesMs);
  phase = 'closed';
  await Promise.all([background, answered]);
  return answer
    ? { status: 'answered', score: answer.score, ...(answer.comment ? { comment: answer.comment } : {}), answeredAt: answer.answeredAt }
    : { status: 'unanswered' };

  /** Writes each accepted answer to SurveyResponse (the latest wins; retried until stored). */
  async function storeAnswers(): Promise<void> {
    let stored = 0;
    for (;;) {
      await condition(() => version > stored || isClosed());
      if (version === stored) return;
      const v = version;
      const a = answer!;
      await acts.recordSurveyAnswer({ ...meta, score: a.score, comment: a.comment ?? null, answeredAt: a.answeredAt, sentAt: sentAt! });
      stored = v;
    }
  }

  /** Raises the low-score alert, and follow-ups when the comment or the (still low) score changes. */
  async function escalate(): Promise<void> {
    let last: { score: number; comment?: string } | undefined;
    const pending = () =>
      !!answer && isLowScore(kind, answer.score) && (!last || answer.score !== last.score || (answer.comment ?? '') !== (last.comment ?? ''));
    for (;;) {
      await condition(() => isClosed() || pending());
      if (!pending() || alerts > MAX_FOLLOW_UPS) return;
      if (alerts === 0 && !answer!.comment && graceMs > 0 && !isClosed()) {
        // The thanks page offers a comment: give the customer a moment, so one alert carries both.
        await condition(() => isClosed() || !!answer?.comment || !pending(), graceMs);
        if (!pending()) continue;
      }
      const a = { score: answer!.score, comment: answer!.comment };
      const req = {
        workflowId, iteration: alerts, customerId, at: new Date().toISOString(),
        survey: { surveyId, kind, score: a.score, comment: a.comment ?? null, sequenceId, stepId: input.stepId },
      };
      last = a;
      alerts += 1;
      try {
        await acts.sendAlertEmail(req);
      } catch (err) {
        // A broken alert must not break the survey (or the sequence waiting for it): it stays
        // visible as a failed activity in this workflow's history.
        if (!(err instanceof ActivityFailure)) throw err;
        log.warn('low-score alert email failed', { surveyId, error: err.cause?.message ?? err.message });
      }
      try {
        await hooks.postAlertWebhook(req);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        log.warn('low-score alert webhook gave up', { surveyId, error: err.cause?.message ?? err.message });
      }
    }
  }
}
