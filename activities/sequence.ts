// The activities of the sequence workflow, built from their dependencies so tests pass real pieces
// (a SQLite or PostgreSQL database, an SMTP sink) without module mocking.
import type { Db } from './db/client';
import type { MailTransport } from './mail/transport';
import type { Config } from '../domain/config';
import { sendEmail, type Renderer, type SendRequest, type SendResult } from './send/send-email';
import { FailureType, nonRetryable } from './failures';
import type { EnrollmentStatus } from '../workflows/sequence/messages';
import type { SequenceDefinition } from '../domain/sequence/types';
import { createCalendarActivities } from './calendar';
import type { AccountSettings } from '../domain/account';
import { createSurveyActivities } from './surveys';
import { Context } from '@temporalio/activity';

/** The running activity's context, or undefined when called outside an activity (tests, CLI). */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export interface SequenceActivityDeps {
  db: Db;
  transport: MailTransport;
  renderer: Renderer;
  config: Config;
  account: AccountSettings;
}

export function createSequenceActivities(deps: SequenceActivityDeps) {
  const { db } = deps;
  return {
    ...createCalendarActivities(deps),
    // Surveys, check-ins and their alerts (activities/surveys.ts).
    ...createSurveyActivities(deps),

    /**
     * Sends one step's email through the send ledger (exactly once per step). Runs on the email
     * task queue; heartbeats while it works so a worker that dies mid-send is noticed within the
     * heartbeat timeout, not the whole start-to-close timeout.
     */
    async sendStepEmail(req: SendRequest): Promise<SendResult> {
      const ctx = activityContext();
      // Time-skipping test servers schedule activities in skipped time; real servers in real time.
      const now = Math.max(Date.now(), ctx?.info.currentAttemptScheduledTimestampMs ?? 0);
      const beat = ctx ? setInterval(() => ctx.heartbeat(), 2_000) : undefined;
      try {
        ctx?.heartbeat();
        return await sendEmail(deps, req, { now });
      } finally {
        if (beat) clearInterval(beat);
      }
    },

    /** Profile fields and custom attributes for branch conditions (`customer.*`). */
    async loadCustomerContext({ customerId }: { customerId: string }): Promise<{ customer: Record<string, unknown> }> {
      const c = await db.customer.findUnique({ where: { id: customerId } });
      if (!c) throw nonRetryable(FailureType.CustomerNotFound, `customer ${customerId} does not exist (erased or never created)`);
      let attributes: Record<string, unknown> = {};
      try {
        attributes = JSON.parse(c.attributes);
      } catch {
        attributes = {};
      }
      return {
        customer: {
          ...attributes,
          locale: c.locale, country: c.country, region: c.region, timeZone: c.timeZone,
          formality: c.formality, consentMarketing: c.consentMarketing,
        },
      };
    },

    /** A sequence version stored by `outreach sequence migrate` (a run migrating to it loads it here). */
    async loadSequenceVersion({ sequenceId, version }: { sequenceId: string; version: number }): Promise<SequenceDefinition> {
      const row = await db.sequenceVersion.findUnique({ where: { sequenceId_version: { sequenceId, version } } });
      if (!row) throw nonRetryable(FailureType.Definition, `version ${version} of sequence "${sequenceId}" is not stored: run \`outreach sequence migrate\` with its file`);
      return JSON.parse(row.definition) as SequenceDefinition;
    },

    async recordEnrollment(r: { workflowId: string; status: EnrollmentStatus; currentStep: string | null; ended?: boolean }): Promise<void> {
      await db.enrollment.updateMany({
        where: { workflowId: r.workflowId },
        data: { status: r.status, currentStep: r.currentStep, ...(r.ended ? { endedAt: new Date() } : {}) },
      });
    },
  };
}
