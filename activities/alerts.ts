// Alerts to the account owner when feedback needs a human: a low survey score (with the customer's
// comment, when there is one) or a click on "I need help" in a check-in email.
//
// Two activities, each retried by Temporal on its own:
//   sendAlertEmail   an internal email (category "internal") to ACCOUNT_OWNER_EMAIL, exactly once per
//                    alert through the send ledger: key "<survey or help workflow id>/alert/<n>"
//                    (n = 0 for the first alert of a survey, 1.. for follow-ups). Rendered from the
//                    low-score-alert template; help requests use a help-request-alert template when
//                    the templates folder has one, else a short built-in email.
//   postAlertWebhook a JSON POST to ALERT_WEBHOOK_URL (when set) with an Idempotency-Key header equal
//                    to the ledger key, so a receiver can drop the duplicates retries may cause.
// The ledger row names the customer the alert is about (erasure anonymizes it with the customer's
// other rows), never the owner.
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from './db/client';
import type { MailTransport } from './mail/transport';
import type { Config } from '../domain/config';
import type { AccountSettings } from '../domain/account';
import type { SurveyKind } from '../domain/sequence/types';
import { isPermanentSmtpFailure, ledgerKey, messageIdFor, type Renderer, type RenderedEmail, type SendResult } from './send/send-email';
import { FailureType, nonRetryable } from './failures';

export interface AlertDeps {
  db: Db;
  transport: MailTransport;
  renderer: Renderer;
  config: Config;
  account: AccountSettings;
}

export interface AlertRequest {
  /** The workflow raising the alert (a survey, or a help request); with `iteration`, the ledger key. */
  workflowId: string;
  /** 0 for the first alert of this workflow, 1, 2, ... for follow-ups (a later comment or score). */
  iteration: number;
  customerId: string;
  /** When it happened (workflow time), ISO-8601. */
  at: string;
  survey?: {
    surveyId: string;
    kind: SurveyKind;
    score: number;
    comment: string | null;
    sequenceId?: string;
    stepId?: string;
  };
  help?: {
    /** The workflow whose email carried the "I need help" link (a check-in or a sequence). */
    sourceWorkflowId?: string;
  };
}

export type AlertType = 'survey.low_score' | 'survey.low_score.updated' | 'checkin.help_requested';

export function alertType(req: AlertRequest): AlertType {
  if (req.help) return 'checkin.help_requested';
  return req.iteration > 0 ? 'survey.low_score.updated' : 'survey.low_score';
}

export function alertKey(req: Pick<AlertRequest, 'workflowId' | 'iteration'>): string {
  return ledgerKey({ workflowId: req.workflowId, stepId: 'alert', iteration: req.iteration });
}

/** The JSON body of the webhook: flat, and free of the customer's contact details. */
export function webhookPayload(req: AlertRequest): Record<string, unknown> {
  return {
    id: alertKey(req),
    type: alertType(req),
    occurredAt: req.at,
    customerId: req.customerId,
    ...(req.survey
      ? {
          surveyId: req.survey.surveyId, kind: req.survey.kind, score: req.survey.score, comment: req.survey.comment,
          sequenceId: req.survey.sequenceId ?? null, stepId: req.survey.stepId ?? null,
        }
      : {}),
    ...(req.help ? { sourceWorkflowId: req.help.sourceWorkflowId ?? null } : {}),
  };
}

const HELP_TEMPLATE = 'help-request-alert';
const WEBHOOK_TIMEOUT_MS = 10_000;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The built-in help alert, for a templates folder without help-request-alert. English, plain. */
function builtInHelpEmail(customerRef: string, customerUrl: string, at: string, product: string): RenderedEmail {
  const subject = `Help requested by ${customerRef}`.replace(/[\r\n\u2028\u2029]+/g, ' ');
  const lines = [
    `${customerRef} clicked "I need help" in an email from ${product} on ${new Date(at).toUTCString()}.`,
    'Please get in touch with them within one business day.',
    `Customer record: ${customerUrl}`,
  ];
  const html = `<!doctype html><html lang="en" dir="ltr"><body>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`;
  return { template: 'built-in:help-request-alert', locale: 'en', lang: 'en', dir: 'ltr', subject, preheader: '', html, text: `${lines.join('\n\n')}\n` };
}

export function createAlertActivities(deps: AlertDeps) {
  const { db, transport, renderer, config } = deps;

  function customerUrl(customerId: string): string {
    const tpl = config.surveys.alertCustomerUrl;
    if (tpl) return tpl.replace('{id}', encodeURIComponent(customerId));
    // The ops API's view of the customer (needs an ops key); set ALERT_CUSTOMER_URL to your CRM.
    return `${config.api.publicBaseUrl}/v1/customers/${encodeURIComponent(customerId)}/enrollments`;
  }

  return {
    /** Emails the account owner about a low score or a help request, exactly once per alert key. */
    async sendAlertEmail(req: AlertRequest): Promise<SendResult> {
      const key = alertKey(req);
      const messageId = messageIdFor(key, config.smtp.from);
      const existing = await db.sendLedger.findUnique({ where: { key } });
      if (existing) {
        switch (existing.status) {
          case 'sent':
            return { status: 'already-sent', messageId: existing.messageId };
          case 'ambiguous':
          case 'failed':
          case 'suppressed':
            return { status: existing.status, messageId: existing.messageId, reason: existing.error ?? undefined };
          case 'sending': {
            const reason = 'the previous attempt ended without a recorded SMTP outcome';
            await db.sendLedger.updateMany({ where: { key, status: 'sending' }, data: { status: 'ambiguous', error: reason } });
            return { status: 'ambiguous', messageId: existing.messageId, reason };
          }
          // retry: send again below.
        }
      }

      const customer = await db.customer.findUnique({ where: { id: req.customerId } });
      const name = customer ? [customer.givenName, customer.familyName].filter(Boolean).join(' ') : '';
      const customerRef = customer ? `${name ? `${name} ` : ''}<${customer.email}> (${customer.id})` : req.customerId;
      const owner = {
        id: 'account-owner', email: config.accountOwnerEmail, locale: config.defaultLocale,
        givenName: null, familyName: null, title: null, gender: null, timeZone: config.defaultTimeZone, formality: null,
      };
      // The owner "unsubscribes" from alerts by changing ACCOUNT_OWNER_EMAIL; the footer link writes to the sender.
      const fromAddress = /<([^>]+)>/.exec(config.smtp.from)?.[1] ?? config.smtp.from;
      const links = { unsubscribe: `mailto:${fromAddress}?subject=${encodeURIComponent('Outreach alerts')}`, customer: customerUrl(req.customerId) };
      const template = req.survey ? 'low-score-alert' : HELP_TEMPLATE;
      let rendered: RenderedEmail;
      try {
        rendered = renderer.render({
          template,
          customer: owner,
          links,
          data: {
            ...deps.account.data,
            customerRef,
            ...(req.survey ? { surveyKind: req.survey.kind, score: req.survey.score, comment: req.survey.comment } : { requestedAt: req.at }),
          },
        });
      } catch (err) {
        const e = err as Error & { code?: string };
        if (!req.survey && e.code === 'UNKNOWN_TEMPLATE') {
          rendered = builtInHelpEmail(customerRef, links.customer, req.at, String(deps.account.data.product));
        } else {
          throw nonRetryable(FailureType.Template, e.message, { code: e.code ?? 'TEMPLATE_ERROR', template, locale: owner.locale });
        }
      }
      // A follow-up (a comment or a new score after the first alert) threads under the first one.
      const first = req.iteration > 0 ? messageIdFor(alertKey({ workflowId: req.workflowId, iteration: 0 }), config.smtp.from) : undefined;
      const subject = first ? `Re: ${rendered.subject}` : rendered.subject;

      const base = {
        key, workflowId: req.workflowId, stepId: 'alert', iteration: req.iteration, customerId: req.customerId,
        templateId: template, locale: rendered.locale, category: 'internal', messageId,
      };
      if (existing) {
        const r = await db.sendLedger.updateMany({ where: { key, status: existing.status }, data: { status: 'sending', attempts: { increment: 1 }, error: null } });
        if (r.count === 0) throw new Error(`send ledger row ${key} changed during this attempt; the next attempt decides`);
      } else {
        try {
          await db.sendLedger.create({ data: { ...base, status: 'sending', attempts: 1 } });
        } catch (err) {
          if ((err as { code?: string }).code === 'P2002') throw new Error(`send ledger row ${key} was claimed by a concurrent attempt; the next attempt decides`);
          throw err;
        }
      }
      try {
        await transport.sendMail({
          from: config.smtp.from,
          to: config.accountOwnerEmail,
          subject,
          html: rendered.html,
          text: rendered.text,
          messageId,
          ...(first ? { inReplyTo: first, references: [first] } : {}),
          headers: { 'X-Outreach-Template': template, 'X-Outreach-Alert': alertType(req), 'Content-Language': rendered.lang },
        });
      } catch (err) {
        const reason = (err as Error).message.split('\n')[0].slice(0, 500);
        if (isPermanentSmtpFailure(err)) {
          await db.sendLedger.update({ where: { key }, data: { status: 'failed', error: reason } });
          // The owner's address is misconfigured: say so loudly instead of retrying forever.
          throw nonRetryable(FailureType.InvalidRecipient, `ACCOUNT_OWNER_EMAIL was rejected: ${reason}`);
        }
        await db.sendLedger.update({ where: { key }, data: { status: 'retry', error: reason } });
        throw err;
      }
      await db.sendLedger.update({ where: { key }, data: { status: 'sent', sentAt: new Date(Math.max(Date.now(), Date.parse(req.at) || 0)), error: null } });
      return { status: 'sent', messageId };
    },

    /** POSTs the alert to ALERT_WEBHOOK_URL; any non-2xx answer or network error is retried by Temporal. */
    async postAlertWebhook(req: AlertRequest): Promise<{ status: 'posted' | 'skipped'; httpStatus?: number }> {
      const url = config.surveys.alertWebhookUrl;
      if (!url) return { status: 'skipped' };
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': alertKey(req), 'user-agent': 'outreach-alerts' },
          body: JSON.stringify(webhookPayload(req)),
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
      } catch (err) {
        throw ApplicationFailure.retryable(`alert webhook unreachable: ${(err as Error).message}`, 'WebhookError');
      }
      await res.arrayBuffer().catch(() => undefined); // drain, so the connection can be reused
      if (res.status < 200 || res.status >= 300) {
        throw ApplicationFailure.retryable(`alert webhook answered HTTP ${res.status}`, 'WebhookError');
      }
      return { status: 'posted', httpStatus: res.status };
    },
  };
}
