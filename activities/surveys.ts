// Activities of the survey workflow: the fatigue gate, and the SurveyResponse row (created when the
// survey email is sent, so response rates have a denominator; updated with each answer the workflow
// accepts). Times come from the workflow (`at`, `sentAt`, `answeredAt`), so the rows agree with the
// workflow's own clock. Also assembles the check-in and alert activities, so the worker registers
// everything of this capability with one spread in createSequenceActivities.
import type { Db } from './db/client';
import type { SurveyKind } from '../domain/sequence/types';
import { FailureType, nonRetryable } from './failures';
import { createAlertActivities, type AlertDeps } from './alerts';
import { createCheckinActivities } from './checkins';

export interface SurveyMeta {
  surveyId: string;
  customerId: string;
  kind: SurveyKind;
  sequenceId: string;
  stepId?: string;
  template: string;
}

export interface SurveyClaim {
  allowed: boolean;
  /** When the survey that blocks this one started (fatigue), ISO-8601. */
  blockedSince?: string;
  fatigueDays: number;
  /** How long a low-score alert waits for a comment (ALERT_COMMENT_GRACE_MINUTES). */
  alertCommentGraceMinutes: number;
}

const MAX_COMMENT = 2000;

export function createSurveyActivities(deps: AlertDeps) {
  const { db, config } = deps;

  async function customerOrFail(customerId: string) {
    const c = await db.customer.findUnique({ where: { id: customerId }, select: { locale: true, country: true } });
    if (!c) throw nonRetryable(FailureType.CustomerNotFound, `customer ${customerId} does not exist (erased or never created)`);
    return c;
  }

  return {
    ...createAlertActivities(deps),
    ...createCheckinActivities(deps),

    /**
     * Survey fatigue: claims the customer's survey gate for this survey unless another survey
     * started within SURVEY_FATIGUE_DAYS before `at`. The claim is one conditional UPDATE (or an
     * INSERT on the primary key), so two surveys due at the same instant cannot both pass. A retry
     * of the same survey finds its own claim and passes again.
     */
    async claimSurvey(r: { surveyId: string; customerId: string; at: string }): Promise<SurveyClaim> {
      const fatigueDays = config.surveys.fatigueDays;
      const result = (allowed: boolean, blockedSince?: Date): SurveyClaim => ({
        allowed, fatigueDays, alertCommentGraceMinutes: config.surveys.alertCommentGraceMinutes,
        ...(blockedSince ? { blockedSince: blockedSince.toISOString() } : {}),
      });
      const at = new Date(r.at);
      const cutoff = new Date(at.getTime() - fatigueDays * 86_400_000);
      const claimable = fatigueDays === 0 ? {} : { OR: [{ claimedAt: { lte: cutoff } }, { surveyId: r.surveyId }] };
      for (let attempt = 0; attempt < 3; attempt++) {
        const updated = await db.surveyGate.updateMany({ where: { customerId: r.customerId, ...claimable }, data: { surveyId: r.surveyId, claimedAt: at } });
        if (updated.count > 0) return result(true);
        const gate = await db.surveyGate.findUnique({ where: { customerId: r.customerId } });
        if (gate) return gate.surveyId === r.surveyId ? result(true) : result(false, gate.claimedAt);
        await customerOrFail(r.customerId);
        try {
          await db.surveyGate.create({ data: { customerId: r.customerId, surveyId: r.surveyId, claimedAt: at } });
          return result(true);
        } catch (err) {
          // A concurrent survey created the gate first: decide again against its claim.
          if ((err as { code?: string }).code !== 'P2002') throw err;
        }
      }
      throw new Error(`survey gate of customer ${r.customerId} kept changing; the next attempt decides`);
    },

    /** Creates the survey's row when its email went out (the denominator of response rates). */
    async recordSurveySent(r: SurveyMeta & { sentAt: string; closesAt: string }): Promise<void> {
      const c = await customerOrFail(r.customerId);
      const fields = { sentAt: new Date(r.sentAt), closesAt: new Date(r.closesAt) };
      await db.surveyResponse.upsert({
        where: { surveyId: r.surveyId },
        create: {
          surveyId: r.surveyId, customerId: r.customerId, kind: r.kind, locale: c.locale, country: c.country,
          sequenceId: r.sequenceId, stepId: r.stepId ?? null, template: r.template, ...fields,
        },
        update: fields,
      });
    },

    async recordSurveyReminder(r: { surveyId: string; remindedAt: string }): Promise<void> {
      await db.surveyResponse.updateMany({ where: { surveyId: r.surveyId }, data: { remindedAt: new Date(r.remindedAt) } });
    },

    /** Stores the answer the workflow accepted (the latest score and comment replace earlier ones). */
    async recordSurveyAnswer(r: SurveyMeta & { score: number; comment: string | null; answeredAt: string; sentAt: string }): Promise<void> {
      const answer = { score: r.score, comment: r.comment ? r.comment.slice(0, MAX_COMMENT) : null, answeredAt: new Date(r.answeredAt) };
      const updated = await db.surveyResponse.updateMany({ where: { surveyId: r.surveyId }, data: answer });
      if (updated.count > 0) return;
      // The row is written when the email goes out; if that write has not happened yet, write both.
      const c = await customerOrFail(r.customerId);
      await db.surveyResponse.upsert({
        where: { surveyId: r.surveyId },
        create: {
          surveyId: r.surveyId, customerId: r.customerId, kind: r.kind, locale: c.locale, country: c.country,
          sequenceId: r.sequenceId, stepId: r.stepId ?? null, template: r.template, sentAt: new Date(r.sentAt), ...answer,
        },
        update: answer,
      });
    },
  };
}
