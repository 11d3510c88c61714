// One survey (CSAT, NPS, CES) for one customer: send the survey email in business hours, remind once
// after N business days if unanswered, accept answers until the window closes (a later answer
// within the window replaces the earlier one), then return the outcome.
import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type * as sequenceActivities from '../../activities/sequence';
import { calendarMillis } from '../../domain/sequence/durations';
import { surveyAnswerSignal, surveyStateQuery, type SurveyAnswer, type SurveyInput, type SurveyResult } from './messages';

type Activities = ReturnType<typeof sequenceActivities.createSequenceActivities>;
const activityOptions: Parameters<typeof proxyActivities>[0] = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', nonRetryableErrorTypes: ['TemplateError', 'CalendarError', 'CustomerNotFound', 'InvalidRecipient'] },
};
const workerActs = proxyActivities<Activities>(activityOptions);
/** The SMTP send runs on `<task queue>-email` (rate-limited; see workflows/sequence/steps.ts). */
const emailActs = () =>
  proxyActivities<Pick<Activities, 'sendStepEmail'>>({
    ...activityOptions, startToCloseTimeout: '2 minutes', heartbeatTimeout: '10 seconds', taskQueue: `${workflowInfo().taskQueue}-email`,
  });
const acts: typeof workerActs = new Proxy(workerActs, {
  get: (target, name, receiver) =>
    name === 'sendStepEmail' ? (req: Parameters<Activities['sendStepEmail']>[0]) => emailActs().sendStepEmail(req) : Reflect.get(target, name, receiver),
});

export async function surveyWorkflow(input: SurveyInput): Promise<SurveyResult> {
  let answer: SurveyAnswer | undefined;
  let sentAt: string | undefined;
  let closesAt: string | undefined;
  setHandler(surveyAnswerSignal, (a) => {
    // Answers after the window closes are ignored (documented rule): the workflow has returned by then.
    if (a.surveyId === input.surveyId) answer = a;
  });
  setHandler(surveyStateQuery, () => ({
    status: answer ? 'answered' : 'unanswered', score: answer?.score, comment: answer?.comment, sentAt, closesAt,
  }));

  const { workflowId } = workflowInfo();
  const sendAt = await acts.nextSendTime({ customerId: input.customerId, after: new Date().toISOString() });
  await condition(() => false, Math.max(0, Date.parse(sendAt.utc) - Date.now()));
  sentAt = new Date().toISOString();
  closesAt = new Date(Date.now() + calendarMillis(input.window)).toISOString();
  const survey = { surveyId: input.surveyId, kind: input.kind, closesAt };
  const first = await acts.sendStepEmail({
    workflowId, sequenceId: input.sequenceId ?? 'survey', stepId: 'survey', iteration: 0, customerId: input.customerId,
    template: input.template, category: 'survey', survey,
  });
  if (first.status !== 'sent' && first.status !== 'already-sent') return { status: 'skipped', reason: first.status };

  if (input.reminder) {
    const due = await acts.addBusinessDays({ customerId: input.customerId, after: sentAt, businessDays: input.reminder.afterBusinessDays });
    const answered = await condition(() => !!answer, Math.max(0, Math.min(Date.parse(due.utc), Date.parse(closesAt)) - Date.now()));
    if (!answered && Date.parse(due.utc) < Date.parse(closesAt)) {
      await acts.sendStepEmail({
        workflowId, sequenceId: input.sequenceId ?? 'survey', stepId: 'reminder', iteration: 0, customerId: input.customerId,
        template: input.reminder.template, category: 'survey', survey,
      });
    }
  }
  // Answers keep counting (and may change) until the window closes.
  await condition(() => false, Math.max(0, Date.parse(closesAt) - Date.now()));
  return answer ? { status: 'answered', score: answer.score, comment: answer.comment } : { status: 'unanswered' };
}
